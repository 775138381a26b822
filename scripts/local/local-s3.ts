import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** s3rver accepts exactly this key pair. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface S3RequestCounts {
  /** PUT, COPY, POST, LIST: S3's class A requests. */
  classA: number;
  /** GET, HEAD: class B. */
  classB: number;
}

export interface LocalS3 {
  readonly endpoint: string;
  /** Requests served so far, by S3 billing class (for the cost model). */
  readonly requests: S3RequestCounts;
  /**
   * Tests: called before each PUT of an object is carried out (after its condition, if any, is
   * known to be checked next), so a test can hold one writer while another goes ahead.
   */
  beforePut?: (key: string) => Promise<void>;
  close(): Promise<void>;
}

/**
 * A real S3 API over HTTP on a free loopback port: s3rver behind a small proxy of ours. s3rver
 * ignores S3's conditional writes (If-Match, If-None-Match on PutObject) and does not write objects
 * atomically; the proxy checks the conditions, answers 412 PreconditionFailed as S3 does, and lets
 * one request at a time touch an object. Its store lives in `storeDir` and persists across runs.
 */
export async function startLocalS3(storeDir: string, buckets: readonly string[]): Promise<LocalS3> {
  await mkdir(storeDir, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: storeDir,
    silent: true,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const address = await server.run();
  const backend = `http://127.0.0.1:${address.port}`;
  const requests: S3RequestCounts = { classA: 0, classB: 0 };
  const s3 = localS3Client(backend);
  const locks = new Map<string, Promise<void>>();
  const local: LocalS3 = {
    endpoint: '',
    requests,
    close: async () => {
      s3.destroy();
      await new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      });
      await server.close();
    },
  };

  /** Runs `work` when no other request holds the object's key; the next one waits for it. */
  async function exclusively<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = locks.get(key) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const current = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => current);
    locks.set(key, chained);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (locks.get(key) === chained) locks.delete(key);
    }
  }

  async function currentEtag(bucket: string, key: string): Promise<string | undefined> {
    try {
      return (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag;
    } catch {
      return undefined;
    }
  }

  const proxy = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const isList =
      request.method === 'GET' &&
      (key === '' || /(^|&)(list-type|prefix|delimiter)=/.test(url.search.slice(1)));
    if ((request.method === 'GET' || request.method === 'HEAD') && !isList) requests.classB += 1;
    else requests.classA += 1;
    const forward = () =>
      new Promise<void>((resolve) => {
        const upstream = httpRequest(
          `${backend}${request.url ?? '/'}`,
          { method: request.method, headers: request.headers },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
            answer.on('end', resolve);
            answer.on('error', () => resolve());
          },
        );
        upstream.on('error', (error) => {
          if (!response.headersSent) response.writeHead(502);
          response.end(String(error));
          resolve();
        });
        request.pipe(upstream);
      });
    if (key === '') {
      void forward();
      return;
    }
    // A held writer (tests) waits before it takes the object: readers and other writers go on.
    const held = request.method === 'PUT' ? (local.beforePut?.(key) ?? Promise.resolve()) : Promise.resolve();
    void held.then(() =>
      exclusively(`${bucket}/${key}`, async () => {
        if (request.method === 'PUT' && !request.headers['x-amz-copy-source']) {
          const ifMatch = request.headers['if-match'];
          const ifNoneMatch = request.headers['if-none-match'];
          if (ifMatch !== undefined || ifNoneMatch !== undefined) {
            const etag = await currentEtag(bucket, key);
            const failed =
              (ifNoneMatch === '*' && etag !== undefined) || (ifMatch !== undefined && ifMatch !== etag);
            if (failed) {
              request.resume();
              response.writeHead(412, { 'content-type': 'application/xml' });
              response.end(
                '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>' +
                  '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
                  `<Condition>${ifMatch === undefined ? 'If-None-Match' : 'If-Match'}</Condition></Error>`,
              );
              return;
            }
          }
        }
        await forward();
      }),
    );
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyAddress = proxy.address();
  if (typeof proxyAddress !== 'object' || proxyAddress === null) throw new Error('the S3 proxy has no port');
  return Object.assign(local, { endpoint: `http://127.0.0.1:${proxyAddress.port}` });
}

export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: LOCAL_S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

/**
 * Makes every object readable as a plain file at `<targetDir>/<bucket>/<key>` (s3rver's own store
 * is not plain files) and removes plain files whose object is gone, so the folder mirrors the bucket.
 */
export async function mirrorBucket(endpoint: string, bucket: string, targetDir: string): Promise<number> {
  const s3 = localS3Client(endpoint);
  const root = path.join(targetDir, bucket);
  const wanted = new Set<string>();
  let continuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: continuationToken }),
    );
    for (const object of page.Contents ?? []) {
      if (!object.Key) continue;
      const file = path.join(root, ...object.Key.split('/'));
      wanted.add(file);
      const existing = await readFile(file).catch(() => undefined);
      const etag = object.ETag?.replaceAll('"', '');
      if (existing && createHash('md5').update(existing).digest('hex') === etag) continue;
      const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(
        file,
        await (response.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())),
      );
    }
    continuationToken = page.NextContinuationToken;
  } while (continuationToken);
  for (const file of await listFiles(root)) if (!wanted.has(file)) await rm(file);
  s3.destroy();
  return wanted.size;
}
