import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { PREFIXES } from '../../functions/commons/domain/keys';

export type CuratedDataset = 'top_tracks' | 'recently_played';

/** Each dataset's folder and the keys in it that are its CSVs (functions/commons/domain/keys.ts). */
const LAYOUT: Record<CuratedDataset, { prefix: string; key: RegExp }> = {
  top_tracks: {
    prefix: PREFIXES.topTracks,
    key: /^curated\/top_tracks\/snapshot_date=\d{4}-\d{2}-\d{2}\/[^/]+\.csv$/,
  },
  recently_played: {
    prefix: PREFIXES.recentlyPlayed,
    key: /^curated\/recently_played\/played_date=\d{4}-\d{2}-\d{2}\/plays\.csv$/,
  },
};

/** Where the curated CSVs are read from: the local run's plain files, or a bucket. */
export interface CuratedSource {
  /** The source as a person would look for it: a folder or s3:// address, or one object's. */
  describe(key?: string): string;
  /**
   * Keys of every CSV of the dataset, oldest partition first:
   * `curated/top_tracks/snapshot_date=D/<source>.csv`, `curated/recently_played/played_date=D/plays.csv`.
   */
  listCsvKeys(dataset: CuratedDataset): Promise<string[]>;
  readCsv(key: string): Promise<string>;
}

export class LocalCuratedSource implements CuratedSource {
  constructor(private readonly bucketDir: string) {}

  describe(key?: string): string {
    return key === undefined ? this.bucketDir : path.join(this.bucketDir, ...key.split('/'));
  }

  async listCsvKeys(dataset: CuratedDataset): Promise<string[]> {
    const { prefix, key } = LAYOUT[dataset];
    const root = path.join(this.bucketDir, ...prefix.split('/'));
    const entries = await readdir(root, { withFileTypes: true, recursive: true }).catch(() => []);
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) =>
        path.relative(this.bucketDir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'),
      )
      .filter((found) => key.test(found))
      .sort();
  }

  readCsv(key: string): Promise<string> {
    return readFile(this.describe(key), 'utf8');
  }
}

export class S3CuratedSource implements CuratedSource {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  describe(key: string = PREFIXES.curated): string {
    return `s3://${this.bucket}/${key}`;
  }

  async listCsvKeys(dataset: CuratedDataset): Promise<string[]> {
    const { prefix, key } = LAYOUT[dataset];
    const found: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? [])
        if (object.Key && key.test(object.Key)) found.push(object.Key);
      token = page.NextContinuationToken;
    } while (token);
    return found.sort();
  }

  async readCsv(key: string): Promise<string> {
    const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return (await response.Body?.transformToString('utf-8')) ?? '';
  }
}
