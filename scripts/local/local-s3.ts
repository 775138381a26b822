import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { Server, type IncomingMessage } from 'node:http';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
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
  close(): Promise<void>;
}

/**
 * A real S3 API over HTTP on a free loopback port (s3rver). Its own store lives in `storeDir`
 * and persists across runs like a bucket does.
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
  const requests: S3RequestCounts = { classA: 0, classB: 0 };
  // s3rver keeps its http.Server as `httpServer` (not in its type declarations).
  const httpServer: unknown = Reflect.get(server, 'httpServer');
  if (!(httpServer instanceof Server)) throw new Error('s3rver did not expose its HTTP server');
  httpServer.on('request', (request: IncomingMessage) => {
    const isList =
      request.method === 'GET' &&
      /[?&](list-type|prefix|delimiter)=|^\/[^/?]+\/?(\?|$)/.test(request.url ?? '');
    if (request.method === 'GET' || request.method === 'HEAD') {
      if (isList) requests.classA += 1;
      else requests.classB += 1;
    } else requests.classA += 1;
  });
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    requests,
    close: () => server.close(),
  };
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
