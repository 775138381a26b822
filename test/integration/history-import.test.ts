import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { keys } from '../../functions/commons/domain/keys';
import { parseCsv } from '../../functions/datasets/csv';
import { playRecordSchema, RECENTLY_PLAYED, type PlayRecord } from '../../functions/datasets/recently-played';
import { localS3Client } from '../../scripts/local/local-s3';
import type { LocalRunResult } from '../../scripts/local/run-local';
import { everyFile, publishedFiles } from '../helpers/bucket-snapshot';
import { uploadPrepared } from '../helpers/inbox';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';
import { exportFileText, sampleExport, SAMPLE_PRIVATE_VALUES } from '../spotify-stand-in/sample-export';
import type { ListeningOptions } from '../spotify-stand-in/sample-data';

const API_DAY = '2026-06-01';
const LISTENING: ListeningOptions = {
  startAt: new Date('2026-05-29T06:00:00.000Z'),
  everyMinutes: 4,
  playlistContextId: 'ownPlaylist00000000000',
  extraPlays: [],
};
const API_RUN_AT = new Date(`${API_DAY}T06:00:00.000Z`);
const on = { neutralizeFormulas: true };

let importCount = 0;
const nextPrefix = () => keys.inboxFolder(`test-${++importCount}`);

/** What a console user uploads: the export's files exactly as Spotify sent them. */
async function uploadRaw(
  stack: LocalStack,
  prefix: string,
  files: readonly { name: string; body: string | Buffer }[],
) {
  const s3 = localS3Client(stack.s3.endpoint);
  for (const file of files) {
    await s3.send(
      new PutObjectCommand({ Bucket: stack.bucket, Key: `${prefix}${file.name}`, Body: file.body }),
    );
  }
  s3.destroy();
}

async function inboxKeys(stack: LocalStack, prefix: string): Promise<string[]> {
  const s3 = localS3Client(stack.s3.endpoint);
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: prefix }));
  s3.destroy();
  return (listed.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
}

const runImport = (
  stack: LocalStack,
  prefix: string,
  snapshotDate = '2026-06-02',
  includeIncognito?: boolean,
) =>
  stack.run({
    snapshotDate,
    input: { import: { prefix, ...(includeIncognito === undefined ? {} : { includeIncognito }) } },
  });

async function curatedPlays(stack: LocalStack): Promise<PlayRecord[]> {
  const files = await publishedFiles(path.join(stack.dataDir, stack.bucket));
  return Object.entries(files)
    .filter(([key]) => key.startsWith('curated/recently_played/'))
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([, text]) => parseCsv(RECENTLY_PLAYED, text, on).map((row) => playRecordSchema.parse(row)));
}

const curatedOnly = (files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).filter(([key]) => key.startsWith('curated/')));

async function manifestOf(result: LocalRunResult) {
  const manifest: unknown = JSON.parse(await readFile(result.fileOf(result.manifestKey), 'utf8'));
  return manifest as {
    status: string;
    import?: { inboxDeleted: boolean; files: string[] };
    sources: { status: string; skipped: Record<string, number>; plays?: Record<string, number> }[];
    error?: { name: string; message: string };
  };
}

function totals(manifest: Awaited<ReturnType<typeof manifestOf>>) {
  const sum = { added: 0, mergedWithApi: 0, alreadyPresent: 0 };
  const skipped: Record<string, number> = {};
  for (const source of manifest.sources) {
    for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += source.plays?.[key] ?? 0;
    for (const [reason, count] of Object.entries(source.skipped))
      skipped[reason] = (skipped[reason] ?? 0) + count;
  }
  return { ...sum, skipped };
}

/**
 * A streaming-history import, as whole local executions: Plan lists the inbox, ImportFile checks
 * and archives each file, and each file is then replayed through the same Transform and Load as
 * the API's plays.
 */
describe('streaming-history import', () => {
  let stack: LocalStack;
  let token: string;
  const exportAt = (when: Date, historyDays?: number) =>
    sampleExport({
      listening: LISTENING,
      exportedAt: when,
      ...(historyDays === undefined ? {} : { historyDays }),
    });

  beforeAll(async () => {
    stack = await startLocalStack({ mode: 'development', listening: LISTENING, now: () => API_RUN_AT });
    token = stack.spotify.grantRefreshToken();
    // The API's last 50 plays first, as the hourly schedule would have published them.
    const api = await stack.runAsUser(token, { snapshotDate: API_DAY, sources: ['me:recently-played'] });
    expect([api.status, api.cause]).toEqual(['SUCCEEDED', undefined]);
  });
  afterAll(() => stack.close());

  it('imports a multi-file export: one row per play, API plays joined to their export rows, the rest counted', async () => {
    const before = await curatedPlays(stack);
    expect(before).toHaveLength(50);
    expect(before.every((play) => play.source === 'api')).toBe(true);
    const prefix = nextPrefix();
    await uploadPrepared(stack, prefix, exportAt(API_RUN_AT));
    const result = await runImport(stack, prefix);
    expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    const manifest = await manifestOf(result);
    expect(manifest.import?.files).toEqual([
      'Streaming_History_Audio_2026_0.json',
      'Streaming_History_Audio_2026_1.json',
      'Streaming_History_Video_2026.json',
    ]);
    const counted = totals(manifest);
    // 60 days x 5 older plays, minus 8 episodes, 1 audiobook chapter and the 3 + 3 private-session
    // plays the prepare step kept back; the 50 API plays are joined, not added.
    expect(counted).toMatchObject({ added: 285, mergedWithApi: 50, alreadyPresent: 0 });
    expect(counted.skipped).toMatchObject({ invalid: 1, episode: 10, audiobook: 1, incognito: 0 });
    const after = await curatedPlays(stack);
    expect(after).toHaveLength(335);
    // Each API play is one row now: its catalog (artist ids, album, duration, context) and the
    // export's listening fields and time stamp.
    const joined = after.filter((play) => play.source === 'export' && play.album_id !== null);
    expect(joined).toHaveLength(50);
    for (const play of joined) {
      const api = before.find(
        (candidate) =>
          candidate.track_id === play.track_id &&
          Math.abs(Date.parse(candidate.played_at) - Date.parse(play.played_at)) < 3000,
      );
      expect(api).toBeDefined();
      expect(play).toMatchObject({
        artist_ids: api?.artist_ids,
        duration_ms: api?.duration_ms,
        context_type: api?.context_type,
        isrc: api?.isrc,
      });
      expect(play.ms_played).toBeGreaterThan(0);
      expect(play.played_at.endsWith('.000Z')).toBe(true);
    }
    expect(after.filter((play) => play.source === 'api')).toEqual([]);
    // Older plays the API never showed: export fields only, the album's artist, no ids.
    const older = after.filter((play) => play.album_id === null);
    expect(older).toHaveLength(285);
    expect(
      older.every((play) => play.artist_ids.every((id) => id === null) && play.context_type === null),
    ).toBe(true);
    expect(older.some((play) => play.skipped === true && (play.ms_played ?? 0) < 30_000)).toBe(true);
    expect(manifest.import?.inboxDeleted).toBe(true);
    expect(await inboxKeys(stack, prefix)).toEqual([]);
  });

  it('changes no byte when the same export is imported again', async () => {
    const before = await publishedFiles(path.join(stack.dataDir, stack.bucket));
    const prefix = nextPrefix();
    await uploadPrepared(stack, prefix, exportAt(API_RUN_AT));
    const result = await runImport(stack, prefix, '2026-06-03');
    expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    expect(totals(await manifestOf(result))).toMatchObject({
      added: 0,
      mergedWithApi: 0,
      alreadyPresent: 335,
    });
    const after = await publishedFiles(result.bucketDir);
    expect(curatedOnly(after)).toEqual(curatedOnly(before));
  });

  it('adds only the new plays of a newer export that overlaps the older one', async () => {
    const before = await curatedPlays(stack);
    // Requested a day later: the same history, plus the plays of the day in between.
    const later = new Date(API_RUN_AT.getTime() + 86_400_000);
    const prefix = nextPrefix();
    await uploadPrepared(stack, prefix, exportAt(later));
    const result = await runImport(stack, prefix, '2026-06-04');
    expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    const after = await curatedPlays(stack);
    const counted = totals(await manifestOf(result));
    expect(counted.added).toBe(after.length - before.length);
    expect(counted.added).toBe(50);
    // Every play imported before is still there, unchanged. Compared as JSON text (one schema
    // parsed both, so the keys come in one order): 300 deep comparisons against 350 rows took 1.3 s.
    const kept = new Set(after.map((play) => JSON.stringify(play)));
    expect(before.filter((play) => !kept.has(JSON.stringify(play)))).toEqual([]);
  });

  it('joins the API plays a later API run reports to the export rows already published', async () => {
    const before = await publishedFiles(path.join(stack.dataDir, stack.bucket));
    // The API still reports the same last 50 plays: nothing changes.
    const result = await stack.runAsUser(token, { snapshotDate: API_DAY, sources: ['me:recently-played'] });
    expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    expect(curatedOnly(await publishedFiles(result.bucketDir))).toEqual(curatedOnly(before));
  });

  it('accepts the files as Spotify sends them (a console upload) and keeps no privacy field anywhere', async () => {
    const prefix = nextPrefix();
    const upload = exportAt(API_RUN_AT, 3);
    await uploadRaw(
      stack,
      prefix,
      upload.map((file) => ({ name: file.name, body: exportFileText(file) })),
    );
    const result = await runImport(stack, prefix, '2026-06-05');
    expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    // Everything under the bucket: curated/, raw/ (the archived plays), staging/, runs/, state/.
    const files = await everyFile(result.bucketDir);
    expect(
      Object.keys(files).some((key) => key.startsWith('raw/') && files[key]?.includes('spotify_track_uri')),
    ).toBe(true);
    const everything = JSON.stringify(files);
    for (const value of Object.values(SAMPLE_PRIVATE_VALUES)) expect(everything).not.toContain(value);
    for (const field of ['ip_addr', 'user_agent_decrypted', 'username'])
      expect(everything).not.toContain(field);
    expect(JSON.stringify(result.events)).not.toContain(SAMPLE_PRIVATE_VALUES.ip_addr);
    expect(await inboxKeys(stack, prefix)).toEqual([]);
  });

  it('imports private-session plays only when asked to', async () => {
    const prefix = nextPrefix();
    const files = exportAt(API_RUN_AT, 60);
    await uploadRaw(
      stack,
      prefix,
      files.map((file) => ({ name: file.name, body: exportFileText(file) })),
    );
    const result = await runImport(stack, prefix, '2026-06-06', true);
    expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    expect(totals(await manifestOf(result))).toMatchObject({ added: 6, skipped: { incognito: 0 } });
  });

  describe('bad input: the import fails, says which file and what, and publishes nothing', () => {
    const good = () =>
      exportAt(API_RUN_AT, 2).map((file) => ({ name: file.name, body: exportFileText(file) }));
    const elements = (count: number, malformed: number[]) =>
      JSON.stringify(
        Array.from({ length: count }, (_, index) =>
          malformed.includes(index)
            ? { ts: 'yesterday', ms_played: 1 }
            : {
                ts: `2025-01-01T00:${String(Math.floor(index / 60)).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}Z`,
                ms_played: 1000,
                spotify_track_uri: 'spotify:track:4uLU6hMCjMI75M1A2tKUQC',
                master_metadata_track_name: 'Never',
                master_metadata_album_artist_name: 'Rick',
              },
        ),
      );
    it.each([
      [
        'a file that is not JSON',
        'Streaming_History_Audio_2020.json',
        '{"ts": "2020-01-01',
        'ExportFileInvalid',
        /Streaming_History_Audio_2020\.json is not a usable streaming-history export: it is not JSON/,
      ],
      [
        'not UTF-8',
        'Streaming_History_Audio_2020.json',
        Buffer.from([0x5b, 0xff, 0xfe, 0x5d]),
        'ExportFileInvalid',
        /it is not UTF-8/,
      ],
      [
        'an object, not an array of plays',
        'Streaming_History_Audio_2020.json',
        '{"plays": []}',
        'ExportFileInvalid',
        /holds a JSON object, not an array of plays/,
      ],
      [
        'the account-data format',
        'Streaming_History_Audio_2020.json',
        '[{"endTime":"2020-01-01 10:00","artistName":"A","trackName":"T","msPlayed":1}]',
        'ExportFileInvalid',
        /"Account data" streaming history/,
      ],
      [
        'too many malformed elements',
        'Streaming_History_Audio_2020.json',
        elements(100, [3, 10, 11, 12, 13, 14]),
        'ExportFileInvalid',
        /6 of its 100 elements are not plays \(element 3 is the first: ts is not a UTC date and time like 2024-03-01T10:00:00Z\)/,
      ],
      [
        'a JSON file named otherwise',
        'my-plays.json',
        '[]',
        'InvalidInputError',
        /my-plays\.json is not named like a file of the streaming-history export/,
      ],
      [
        'an account-data file',
        'StreamingHistory0.json',
        '[]',
        'InvalidInputError',
        /"Account data" streaming history/,
      ],
      [
        'a file over the size bound',
        'Streaming_History_Audio_2021.json',
        Buffer.alloc(33 * 1024 * 1024, 0x20),
        'InvalidInputError',
        /33\.0 MiB, more than the 32\.0 MiB/,
      ],
    ])('%s', async (_, name, body, error, message) => {
      const before = curatedOnly(await publishedFiles(path.join(stack.dataDir, stack.bucket)));
      const prefix = nextPrefix();
      // The good files come first in name order: a bad file fails the import even after they passed.
      await uploadRaw(stack, prefix, [...good(), { name, body }]);
      const result = await runImport(stack, prefix, '2026-06-07');
      expect(result.status).toBe('FAILED');
      expect(result.error).toBe(error);
      expect(result.cause).toMatch(message);
      expect(result.cause).not.toContain(SAMPLE_PRIVATE_VALUES.ip_addr);
      expect(curatedOnly(await publishedFiles(result.bucketDir))).toEqual(before);
      expect((await manifestOf(result)).status).toBe('failed');
      // Kept for another try (the lifecycle rule expires them).
      expect((await inboxKeys(stack, prefix)).length).toBeGreaterThan(0);
      const entered = result.events.flatMap((event) =>
        event.type === 'StateEntered' && 'state' in event ? [event.state.name] : [],
      );
      expect(entered).not.toContain('Load');
    });

    it('skips and counts one malformed element among many', async () => {
      const prefix = nextPrefix();
      await uploadRaw(stack, prefix, [
        { name: 'Streaming_History_Audio_2019.json', body: elements(1000, [500]) },
      ]);
      const result = await runImport(stack, prefix, '2026-06-07');
      expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
      expect(totals(await manifestOf(result))).toMatchObject({ added: 999, skipped: { invalid: 1 } });
    });

    it('refuses an import folder that is not one, and an inbox folder with no export file', async () => {
      const bad = await stack.run({ snapshotDate: '2026-06-07', input: { import: { prefix: 'curated/' } } });
      expect([bad.status, bad.error]).toEqual(['FAILED', 'InvalidInputError']);
      expect(bad.cause).toMatch(/import.prefix "curated\/" is not an inbox folder/);
      const empty = nextPrefix();
      await uploadRaw(stack, empty, [{ name: 'ReadMeFirst.pdf', body: '%PDF-1.4' }]);
      const none = await runImport(stack, empty, '2026-06-07');
      expect([none.status, none.error]).toEqual(['FAILED', 'InvalidInputError']);
      expect(none.cause).toMatch(/holds no export file \(only 1 other file\)/);
      const mixed = await stack.run({
        snapshotDate: '2026-06-07',
        input: { import: { prefix: empty }, sources: ['me:recently-played'] },
      });
      expect(mixed.cause).toMatch(/an import reads only the files under import.prefix; leave sources out/);
      const asSource = await stack.run({ snapshotDate: '2026-06-07', sources: ['export:streaming-history'] });
      expect(asSource.cause).toMatch(/is imported from the files Spotify sends you, not fetched/);
    });
  });

  it('replays an imported date from raw/, one iteration per file, to the same bytes', async () => {
    const before = await publishedFiles(path.join(stack.dataDir, stack.bucket));
    const result = await stack.run({
      snapshotDate: '2026-06-10',
      input: { replay: { from: '2026-06-02' }, sources: ['export:streaming-history'] },
    });
    expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    const transforms = result.events.filter(
      (event) => event.type === 'StateEntered' && 'state' in event && event.state.name === 'Transform',
    );
    expect(transforms).toHaveLength(3);
    expect(curatedOnly(await publishedFiles(result.bucketDir))).toEqual(curatedOnly(before));
  });
});
