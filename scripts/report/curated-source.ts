import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CSV_FILE_NAME } from '../../functions/commons/constants';
import { PREFIXES } from '../../functions/commons/domain/keys';

/** Where the curated CSVs are read from: the local run's plain files, or a bucket. */
export interface CuratedSource {
  describe(): string;
  /** Snapshot dates that have a CSV, oldest first. */
  listDates(): Promise<string[]>;
  readCsv(snapshotDate: string): Promise<string>;
}

const PARTITION = /snapshot_date=(\d{4}-\d{2}-\d{2})/;

export class LocalCuratedSource implements CuratedSource {
  constructor(private readonly bucketDir: string) {}

  describe(): string {
    return this.bucketDir;
  }

  async listDates(): Promise<string[]> {
    const root = path.join(this.bucketDir, ...PREFIXES.curated.split('/'));
    const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
    return entries
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => PARTITION.exec(entry.name)?.slice(1, 2) ?? [])
      .sort();
  }

  readCsv(snapshotDate: string): Promise<string> {
    const file = path.join(
      this.bucketDir,
      ...PREFIXES.curated.split('/'),
      `snapshot_date=${snapshotDate}`,
      CSV_FILE_NAME,
    );
    return readFile(file, 'utf8');
  }
}

export class S3CuratedSource implements CuratedSource {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  describe(): string {
    return `s3://${this.bucket}/${PREFIXES.curated}`;
  }

  async listDates(): Promise<string[]> {
    const dates: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: PREFIXES.curated, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        const date = object.Key?.endsWith(`/${CSV_FILE_NAME}`) ? PARTITION.exec(object.Key)?.[1] : undefined;
        if (date) dates.push(date);
      }
      token = page.NextContinuationToken;
    } while (token);
    return dates.sort();
  }

  async readCsv(snapshotDate: string): Promise<string> {
    const response = await this.s3.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: `${PREFIXES.curated}snapshot_date=${snapshotDate}/${CSV_FILE_NAME}`,
      }),
    );
    return (await response.Body?.transformToString('utf-8')) ?? '';
  }
}
