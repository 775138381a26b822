import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { PREFIXES } from '../../functions/commons/domain/keys';

/** Where the curated top_tracks CSVs are read from: the local run's plain files, or a bucket. */
export interface CuratedSource {
  describe(): string;
  /** Keys of every top_tracks CSV (`curated/top_tracks/snapshot_date=D/<source>.csv`), oldest date first. */
  listCsvKeys(): Promise<string[]>;
  readCsv(key: string): Promise<string>;
}

const CSV_KEY = /snapshot_date=\d{4}-\d{2}-\d{2}\/[^/]+\.csv$/;

export class LocalCuratedSource implements CuratedSource {
  constructor(private readonly bucketDir: string) {}

  describe(): string {
    return this.bucketDir;
  }

  async listCsvKeys(): Promise<string[]> {
    const root = path.join(this.bucketDir, ...PREFIXES.topTracks.split('/'));
    const entries = await readdir(root, { withFileTypes: true, recursive: true }).catch(() => []);
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) =>
        path.relative(this.bucketDir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'),
      )
      .filter((key) => CSV_KEY.test(key))
      .sort();
  }

  readCsv(key: string): Promise<string> {
    return readFile(path.join(this.bucketDir, ...key.split('/')), 'utf8');
  }
}

export class S3CuratedSource implements CuratedSource {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  describe(): string {
    return `s3://${this.bucket}/${PREFIXES.topTracks}`;
  }

  async listCsvKeys(): Promise<string[]> {
    const found: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: PREFIXES.topTracks,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? [])
        if (object.Key && CSV_KEY.test(object.Key)) found.push(object.Key);
      token = page.NextContinuationToken;
    } while (token);
    return found.sort();
  }

  async readCsv(key: string): Promise<string> {
    const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return (await response.Body?.transformToString('utf-8')) ?? '';
  }
}
