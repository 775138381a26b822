import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, opendir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import path from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { isTemporaryFile, writeFileAtomic } from './atomic-files';
import { makeStoreWritesAtomic } from './atomic-store';
import { serveDesTokensWithAes } from './s3rver-tokens';

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
  /** Tests: answer matching requests with this status (an S3 outage) instead of serving them. */
  faults: { method: string; keyIncludes: string; status: number; times: number }[];
  close(): Promise<void>;
}

/**
 * A real S3 API over HTTP on a free loopback port: s3rver behind a small proxy of ours. s3rver
 * ignores S3's conditional writes (If-Match, If-None-Match on PutObject) and does not write objects
 * atomically; the proxy checks the conditions, answers 412 PreconditionFailed as S3 does, and lets
 * one request at a time touch an object. Its store lives in `storeDir` and persists across runs;
 * every write to it goes to a temporary file renamed into place (see makeStoreWritesAtomic).
 */
export async function startLocalS3(storeDir: string, buckets: readonly string[]): Promise<LocalS3> {
  serveDesTokensWithAes();
  await mkdir(storeDir, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: storeDir,
    silent: true,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  makeStoreWritesAtomic(server);
  const address = await server.run();
  const backend = `http://127.0.0.1:${address.port}`;
  const requests: S3RequestCounts = { classA: 0, classB: 0 };
  const s3 = localS3Client(backend);
  const locks = new Map<string, Promise<void>>();
  const local: LocalS3 = {
    endpoint: '',
    requests,
    faults: [],
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
    const fault = local.faults.find(
      (candidate) =>
        candidate.times > 0 && candidate.method === request.method && key.includes(candidate.keyIncludes),
    );
    if (fault) {
      fault.times -= 1;
      request.resume();
      response.writeHead(fault.status, { 'content-type': 'application/xml' });
      response.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code><Message>Please reduce your request rate.</Message></Error>',
      );
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

/** What S3 keeps with an object besides its bytes, as the mirror last saw it. */
interface ObjectDescription {
  readonly etag: string;
  readonly contentType?: string;
  readonly metadata?: Record<string, string>;
  /**
   * The plain file as the mirror left it: while its size and modification time are still these,
   * it is still that copy, and the next mirror need not read and hash it again.
   */
  readonly file?: PlainFileStamp;
}

interface PlainFileStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

const stampOf = (stats: { size: number; mtimeMs: number }): PlainFileStamp => ({
  size: stats.size,
  mtimeMs: stats.mtimeMs,
});

function parseStamp(value: unknown): PlainFileStamp | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const size = 'size' in value ? value.size : undefined;
  const mtimeMs = 'mtimeMs' in value ? value.mtimeMs : undefined;
  return typeof size === 'number' && typeof mtimeMs === 'number' ? { size, mtimeMs } : undefined;
}

/**
 * `<dataDir>/.object-metadata/<bucket>.json`: each mirrored object's ETag, content type and user
 * metadata (e.g. the snapshot-date of a latest/ file), so a store rebuilt from the plain files
 * gets them back for every file that is still the copy the mirror wrote.
 */
export const objectIndexFileOf = (dataDir: string, bucket: string) =>
  path.join(dataDir, '.object-metadata', `${bucket}.json`);

const isStringRecord = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((entry) => typeof entry === 'string');

function parseDescription(value: unknown): ObjectDescription | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const etag = 'etag' in value ? value.etag : undefined;
  const contentType = 'contentType' in value ? value.contentType : undefined;
  const metadata = 'metadata' in value ? value.metadata : undefined;
  const file = parseStamp('file' in value ? value.file : undefined);
  if (typeof etag !== 'string') return undefined;
  return {
    etag,
    ...(typeof contentType === 'string' ? { contentType } : {}),
    ...(isStringRecord(metadata) ? { metadata } : {}),
    ...(file ? { file } : {}),
  };
}

async function readObjectIndex(dataDir: string, bucket: string): Promise<Map<string, ObjectDescription>> {
  const index = new Map<string, ObjectDescription>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(objectIndexFileOf(dataDir, bucket), 'utf8'));
  } catch {
    return index;
  }
  if (typeof parsed !== 'object' || parsed === null) return index;
  for (const [key, value] of Object.entries(parsed)) {
    const description = parseDescription(value);
    if (description) index.set(key, description);
  }
  return index;
}

const md5Of = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
const unquoted = (etag: string | undefined) => etag?.replaceAll('"', '') ?? '';

/** The plain file of `key` under `root`, or undefined for a key that would land outside it. */
function plainFileOf(root: string, key: string): string | undefined {
  const file = path.join(root, ...key.split('/'));
  const relative = path.relative(root, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? undefined : file;
}

/** Every plain file under `root` as its key, without the temporary files of an unfinished write. */
async function plainFiles(root: string): Promise<Map<string, string>> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true }).catch(() => []);
  const files = new Map<string, string>();
  for (const entry of entries) {
    if (!entry.isFile() || isTemporaryFile(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(path.relative(root, file).split(path.sep).join('/'), file);
  }
  return files;
}

/**
 * Makes every object readable as a plain file at `<targetDir>/<bucket>/<key>` (s3rver's own store
 * is not plain files). Each file is written to a temporary file and renamed into place, so an
 * interrupted mirror leaves the previous copy or the new one. It never deletes a plain file: one
 * whose object is gone (a lost store, a file of your own) stays as it is.
 */
export async function mirrorBucket(endpoint: string, bucket: string, targetDir: string): Promise<number> {
  const s3 = localS3Client(endpoint);
  const root = path.join(targetDir, bucket);
  const index = await readObjectIndex(targetDir, bucket);
  let changed = false;
  let count = 0;
  try {
    let continuationToken: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: continuationToken }),
      );
      for (const object of page.Contents ?? []) {
        const file = object.Key === undefined ? undefined : plainFileOf(root, object.Key);
        if (object.Key === undefined || file === undefined) continue;
        count += 1;
        const etag = unquoted(object.ETag);
        const known = index.get(object.Key);
        const before = await stat(file).catch(() => undefined);
        const unchanged =
          known?.etag === etag &&
          before !== undefined &&
          known.file?.size === before.size &&
          known.file.mtimeMs === before.mtimeMs;
        if (unchanged) continue;
        const existing = await readFile(file).catch(() => undefined);
        const upToDate = existing !== undefined && md5Of(existing) === etag;
        if (upToDate && known?.etag === etag && before) {
          index.set(object.Key, { ...known, file: stampOf(before) });
          changed = true;
          continue;
        }
        const response = upToDate
          ? await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: object.Key }))
          : await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
        if ('Body' in response) {
          const bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array();
          await mkdir(path.dirname(file), { recursive: true });
          await writeFileAtomic(file, bytes);
        }
        const after = await stat(file).catch(() => undefined);
        index.set(object.Key, {
          etag: unquoted(response.ETag) || etag,
          ...(response.ContentType ? { contentType: response.ContentType } : {}),
          ...(response.Metadata && Object.keys(response.Metadata).length > 0
            ? { metadata: response.Metadata }
            : {}),
          ...(after ? { file: stampOf(after) } : {}),
        });
        changed = true;
      }
      continuationToken = page.NextContinuationToken;
    } while (continuationToken);
    if (changed) {
      const indexFile = objectIndexFileOf(targetDir, bucket);
      await mkdir(path.dirname(indexFile), { recursive: true });
      await writeFileAtomic(indexFile, `${JSON.stringify(Object.fromEntries(index), null, 1)}\n`);
    }
  } finally {
    s3.destroy();
  }
  return count;
}

/** While it exists, a rebuild of the store from the plain files has not finished. */
const restoreMarkerOf = (dataDir: string, bucket: string) => path.join(dataDir, `.s3rver-rebuild-${bucket}`);

const CONTENT_TYPES: Record<string, string> = {
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.gz': 'application/gzip',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Whether s3rver's store holds any object of the bucket, read from its files: a listing through
 * the API would do, but s3rver answers 500 to a ListObjectsV2 that it has to truncate (its
 * continuation tokens use DES, which OpenSSL 3 no longer offers).
 */
async function storeHasObjects(storeDir: string, bucket: string): Promise<boolean> {
  let dir;
  try {
    dir = await opendir(path.join(storeDir, bucket), { recursive: true });
  } catch {
    return false;
  }
  for await (const entry of dir) {
    if (entry.isFile() && entry.name.endsWith(S3RVER_OBJECT_SUFFIX)) return true;
  }
  return false;
}

/** How s3rver's FilesystemStore names the file of an object's bytes. */
const S3RVER_OBJECT_SUFFIX = '._S3rver_object';

export interface StoreRestore {
  /** Plain files uploaded as objects. */
  readonly restored: number;
  /** Of those, files that were not the mirror's last copy, so S3 metadata could not be given back. */
  readonly withoutMetadata: number;
}

/**
 * The other direction of mirrorBucket, for a lost store: when the bucket on `endpoint` has no
 * objects while plain files exist under `<dataDir>/<bucket>/` (or an earlier rebuild did not
 * finish), uploads every plain file as its key, with the content type and metadata the mirror
 * recorded (else a content type from the file's extension). Answers undefined when the store
 * needed nothing. It never deletes or changes a plain file.
 */
export async function restoreStoreFromMirror(
  endpoint: string,
  bucket: string,
  dataDir: string,
  storeDir: string,
): Promise<StoreRestore | undefined> {
  const marker = restoreMarkerOf(dataDir, bucket);
  const files = await plainFiles(path.join(dataDir, bucket));
  if (files.size === 0) return undefined;
  const s3 = localS3Client(endpoint);
  try {
    if (!existsSync(marker)) {
      if (await storeHasObjects(storeDir, bucket)) return undefined;
      await writeFileAtomic(marker, `${new Date().toISOString()}\n`);
    }
    const index = await readObjectIndex(dataDir, bucket);
    let withoutMetadata = 0;
    for (const [key, file] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
      const bytes = await readFile(file);
      const recorded = index.get(key);
      const described = recorded?.etag === md5Of(bytes) ? recorded : undefined;
      if (!described) withoutMetadata += 1;
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentType:
            described?.contentType ??
            CONTENT_TYPES[path.extname(key).toLowerCase()] ??
            'application/octet-stream',
          ...(described?.metadata ? { Metadata: described.metadata } : {}),
        }),
      );
    }
    await rm(marker, { force: true });
    return { restored: files.size, withoutMetadata };
  } finally {
    s3.destroy();
  }
}
