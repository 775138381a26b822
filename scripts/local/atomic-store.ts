import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { temporaryPathFor, writeFileAtomic } from './atomic-files';

/** s3rver 3.7's S3Object.ALLOWED_METADATA: the standard headers its store keeps with an object. */
const KEPT_HEADERS = new Set([
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-type',
  'expires',
  'x-amz-storage-class',
  'x-amz-website-redirect-location',
]);

interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly content: unknown;
  readonly metadata: Record<string, string>;
}

/** The part of s3rver's FilesystemStore (not in its type declarations) that writes objects. */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putObject: (object: StoredObject) => Promise<{ size: number; md5: string }>;
  putMetadata: (bucket: string, key: string, metadata: Record<string, string>, md5?: string) => Promise<void>;
}

function isFilesystemStore(value: unknown): value is FilesystemStore {
  return (
    typeof value === 'object' &&
    value !== null &&
    'getResourcePath' in value &&
    typeof value.getResourcePath === 'function' &&
    'putObject' in value &&
    typeof value.putObject === 'function' &&
    'putMetadata' in value &&
    typeof value.putMetadata === 'function'
  );
}

/**
 * s3rver writes an object in place (truncate, then stream) and its `.md5` and metadata files the
 * same way, so a run killed mid-write leaves an empty or partial object that the next run reads
 * and mirrors. This makes every write of `server`'s store go to a temporary file first and be
 * renamed into place: an interrupted write leaves the previous object whole (or none).
 */
export function makeStoreWritesAtomic(server: object): void {
  const store: unknown = Reflect.get(server, 'store');
  if (!isFilesystemStore(store)) {
    throw new Error('s3rver has no FilesystemStore at .store: the local S3 cannot write objects atomically');
  }
  const putMetadata = async (
    bucket: string,
    key: string,
    metadata: Record<string, string>,
    md5?: string,
  ): Promise<void> => {
    const kept = Object.fromEntries(
      Object.entries(metadata).filter(([name]) => KEPT_HEADERS.has(name) || name.startsWith('x-amz-meta-')),
    );
    if (md5) await writeFileAtomic(store.getResourcePath(bucket, key, 'object.md5'), md5);
    await writeFileAtomic(store.getResourcePath(bucket, key, 'metadata.json'), JSON.stringify(kept, null, 2));
  };
  store.putMetadata = putMetadata;
  store.putObject = async (object) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(path.dirname(objectPath), { recursive: true });
    const temporary = temporaryPathFor(objectPath);
    const hash = createHash('md5');
    let size = 0;
    try {
      if (Buffer.isBuffer(object.content)) {
        hash.update(object.content);
        size = object.content.length;
        await writeFile(temporary, object.content);
      } else if (object.content instanceof Readable) {
        const measure = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            hash.update(chunk);
            size += chunk.length;
            callback(null, chunk);
          },
        });
        // Unlike s3rver's own putObject, this waits until the file is written before answering.
        await pipeline(object.content, measure, createWriteStream(temporary));
      } else {
        throw new Error(`s3rver gave the body of ${object.key} in a form this store does not know`);
      }
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    const md5 = hash.digest('hex');
    // Without an .md5 file s3rver computes the ETag from the object itself, so the object and its
    // ETag change together even if the run stops between these steps.
    await rm(store.getResourcePath(object.bucket, object.key, 'object.md5'), { force: true });
    await rename(temporary, objectPath);
    await putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size, md5 };
  };
}
