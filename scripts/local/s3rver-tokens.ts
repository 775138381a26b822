import crypto, { type BinaryLike, type CipherKey } from 'node:crypto';

/**
 * s3rver 3.7 builds ListObjectsV2 continuation tokens with single DES, which OpenSSL 3 (Node >= 17)
 * no longer offers: any listing longer than one page (1,000 keys) answers 500. The tokens are opaque
 * to clients, so in this process 'des' is served by AES-128-CBC with the 8-byte key and IV widened
 * to 16 bytes; nothing else in the project asks for DES.
 */
let installed = false;

const widen = (value: BinaryLike | CipherKey | null, length: number): Buffer => {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : '');
  return Buffer.concat([bytes, bytes]).subarray(0, length);
};

export function serveDesTokensWithAes(): void {
  if (installed) return;
  installed = true;
  const createCipheriv = crypto.createCipheriv.bind(crypto);
  const createDecipheriv = crypto.createDecipheriv.bind(crypto);
  Object.assign(crypto, {
    createCipheriv: (algorithm: string, key: CipherKey, iv: BinaryLike | null, ...rest: []) =>
      algorithm === 'des'
        ? createCipheriv('aes-128-cbc', widen(key, 16), widen(iv, 16))
        : createCipheriv(algorithm, key, iv, ...rest),
    createDecipheriv: (algorithm: string, key: CipherKey, iv: BinaryLike | null, ...rest: []) =>
      algorithm === 'des'
        ? createDecipheriv('aes-128-cbc', widen(key, 16), widen(iv, 16))
        : createDecipheriv(algorithm, key, iv, ...rest),
  });
}
