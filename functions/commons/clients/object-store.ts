import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ConfigurationError, StorageUnavailable } from '../errors';

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata: unknown = error.$metadata;
  if (typeof metadata !== 'object' || metadata === null || !('httpStatusCode' in metadata)) return undefined;
  return typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

export interface PutOptions {
  readonly contentType: string;
  readonly metadata?: Record<string, string>;
  /** Write only if the object still has this ETag (S3 conditional write, If-Match). */
  readonly ifMatch?: string;
  /** Write only if there is no object yet (If-None-Match: *). */
  readonly ifNoneMatch?: '*';
}

/** The object changed (412) or another write raced this one (409) since it was read: read again. */
export class WriteConflict extends Error {
  override readonly name = 'WriteConflict';
}

export interface ListedObject {
  readonly key: string;
  readonly lastModified: Date;
  readonly bytes: number;
}

export interface StoredText {
  readonly text: string;
  readonly etag: string;
  readonly metadata: Record<string, string>;
}

/** The bucket, as the handlers need it. One adapter: S3 (AWS in production, a local S3 server in tests). */
export interface ObjectStore {
  /** The object's text, or undefined when there is no such key. */
  getText(key: string): Promise<string | undefined>;
  /** Writes the whole object at once: readers see the old or the new version, never a mix. */
  putText(key: string, body: string, options: PutOptions): Promise<void>;
  /** The object's bytes, or undefined when there is no such key. */
  getBytes(key: string): Promise<Uint8Array | undefined>;
  putBytes(key: string, body: Uint8Array, options: PutOptions): Promise<void>;
  /** The object's text with its ETag (for a conditional write back), or undefined when there is none. */
  getVersioned(key: string): Promise<StoredText | undefined>;
  /** Every key under a prefix (after `startAfter`, if given), with when it was last written and its size. */
  list(prefix: string, startAfter?: string): Promise<ListedObject[]>;
  /** Removes an object (in a versioned bucket: hides it behind a delete marker); a missing key is no error. */
  delete(key: string): Promise<void>;
  /** User metadata of an object, or undefined when there is no such key. */
  getMetadata(key: string): Promise<Record<string, string> | undefined>;
  describe(key: string): string;
}

/**
 * What an S3 failure means for the pipeline: no such key is an answer (undefined), 412/409 a
 * conflict to resolve by reading again, 403 a permission the role lacks (not retried: the fix is in
 * serverless.yml), and anything else (5xx, throttling, a reset connection) StorageUnavailable, which
 * the state machine retries.
 */
function storageError(error: unknown, operation: string, where: string): Error {
  if (error instanceof WriteConflict || error instanceof ConfigurationError) return error;
  const status = httpStatusOf(error);
  if (status === 412 || status === 409) {
    return new WriteConflict(`${where} changed while it was being updated (HTTP ${status})`);
  }
  if (status === 403) {
    return new ConfigurationError(
      `Access denied (${operation} ${where}): the function's role needs that permission on it, and s3:ListBucket ` +
        'on its prefix for a missing key to read as missing (see serverless.yml).',
    );
  }
  const name = error instanceof Error ? error.name : 'Error';
  return new StorageUnavailable(
    `S3 failed to ${operation} ${where} (${status ? `HTTP ${status}, ` : ''}${name}) after the SDK's own retries; ` +
      'the state machine retries the step. If it keeps failing, check S3 in the AWS Health Dashboard.',
  );
}

const isMissing = (error: unknown) => error instanceof NoSuchKey || error instanceof NotFound;

export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  describe(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  async getText(key: string): Promise<string | undefined> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await response.Body?.transformToString('utf-8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw storageError(error, 'read', this.describe(key));
    }
  }

  async list(prefix: string, startAfter?: string): Promise<ListedObject[]> {
    const found: ListedObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3
        .send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ...(token ? { ContinuationToken: token } : startAfter ? { StartAfter: startAfter } : {}),
          }),
        )
        .catch((error: unknown) => {
          throw storageError(error, 'list', this.describe(prefix));
        });
      for (const object of page.Contents ?? []) {
        if (object.Key) {
          found.push({
            key: object.Key,
            lastModified: object.LastModified ?? new Date(0),
            bytes: object.Size ?? 0,
          });
        }
      }
      token = page.NextContinuationToken;
    } while (token);
    return found;
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return (await response.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw storageError(error, 'read', this.describe(key));
    }
  }

  putBytes(key: string, body: Uint8Array, options: PutOptions): Promise<void> {
    return this.put(key, body, options);
  }

  async getVersioned(key: string): Promise<StoredText | undefined> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const text = (await response.Body?.transformToString('utf-8')) ?? '';
      return { text, etag: response.ETag ?? '', metadata: response.Metadata ?? {} };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw storageError(error, 'read', this.describe(key));
    }
  }

  putText(key: string, body: string, options: PutOptions): Promise<void> {
    return this.put(key, body, options);
  }

  private async put(key: string, body: string | Uint8Array, options: PutOptions): Promise<void> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: options.contentType,
          Metadata: options.metadata,
          ...(options.ifMatch === undefined ? {} : { IfMatch: options.ifMatch }),
          ...(options.ifNoneMatch === undefined ? {} : { IfNoneMatch: options.ifNoneMatch }),
        }),
      );
    } catch (error) {
      throw storageError(error, 'write', this.describe(key));
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      throw storageError(error, 'delete', this.describe(key));
    }
  }

  async getMetadata(key: string): Promise<Record<string, string> | undefined> {
    try {
      const response = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return response.Metadata ?? {};
    } catch (error) {
      if (isMissing(error)) return undefined;
      // A HEAD answers 403 without a body, which the SDK reports as "UnknownError": the status says it.
      throw storageError(error, 'read the metadata of', this.describe(key));
    }
  }
}
