import { readFileSync, statSync } from 'node:fs';
import { keys } from '../../functions/commons/domain/keys';
import { COLUMN_NAMES } from '../../functions/commons/domain/top-track-record';
import { TOP_50_GLOBAL_PLAYLIST_ID } from '../../functions/commons/constants';
import { readCsv } from '../helpers/csv';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';
import { chartFor } from '../spotify-stand-in/sample-data';

/** Whole executions of statemachines/pipeline.asl.yml with the real handlers, s3rver and the stand-in. */
describe('local execution of the deployed state machine', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ snapshotDate: '2026-01-31' });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.spotify.resetCounts());

  it('runs Extract, Transform and Load and writes 50 documented rows', async () => {
    const result = await stack.run({ snapshotDate: '2026-01-31' });
    expect(result.status).toBe('SUCCEEDED');

    const entered = result.events
      .filter((event) => event.type === 'StateEntered')
      .map((event) => ('state' in event ? event.state.name : ''));
    expect(entered).toEqual(['Extract', 'Transform', 'Load', 'Succeeded']);

    const { header, rows } = readCsv(result.fileOf(keys.curatedCsv('2026-01-31')));
    expect(header).toEqual(COLUMN_NAMES);
    expect(rows).toHaveLength(50);
    expect(rows.map((row) => row.rank)).toEqual(Array.from({ length: 50 }, (_, index) => String(index + 1)));
    expect(new Set(rows.map((row) => row.track_id)).size).toBe(50);
    const expectedOrder = chartFor('2026-01-31').map((track) => track.id);
    expect(rows.map((row) => row.track_id)).toEqual(expectedOrder);
    for (const row of rows) {
      expect(row).toMatchObject({
        snapshot_date: '2026-01-31',
        playlist_id: TOP_50_GLOBAL_PLAYLIST_ID,
        playlist_name: 'Top 50 - Global',
      });
      expect((row.artist_names ?? '').split('|')).toHaveLength((row.artist_ids ?? '').split('|').length);
      expect(Number(row.danceability)).toBeGreaterThan(0);
      expect(row.artist_genres).not.toBe('');
      expect(row.popularity).toMatch(/^\d+$/);
    }
    // Names from the sample with line breaks are cleaned; formulas are neutralized.
    expect(rows.some((row) => row.track_name === 'Line One Line Two')).toBe(true);
    expect(rows.filter((row) => /^[=+\-@]/.test(row.track_name ?? ''))).toEqual([]);

    expect(readFileSync(result.fileOf(keys.latestCsv()), 'utf8')).toBe(
      readFileSync(result.fileOf(keys.curatedCsv('2026-01-31')), 'utf8'),
    );
    // token + playlist (first 100 entries embedded) + one artists batch + one audio-features batch
    expect(stack.spotify.count()).toBe(4);
    expect(stack.spotify.count('token')).toBe(1);

    const output = result.output as {
      load: { rows: number; csvKey: string };
      extract: { playlists: unknown[] };
    };
    expect(output.load).toMatchObject({ rows: 50, csvKey: keys.curatedCsv('2026-01-31') });
    expect(JSON.stringify(output).length).toBeLessThan(4096);
  });

  it('replaces the same date on a re-run instead of adding rows', async () => {
    const first = await stack.run({ snapshotDate: '2026-02-01' });
    const csvFile = first.fileOf(keys.curatedCsv('2026-02-01'));
    const before = readFileSync(csvFile, 'utf8');
    const second = await stack.run({ snapshotDate: '2026-02-01' });
    expect(second.status).toBe('SUCCEEDED');
    const after = readCsv(csvFile);
    expect(after.rows).toHaveLength(50);
    expect(readFileSync(csvFile, 'utf8')).toBe(before);
    const manifest = JSON.parse(readFileSync(second.fileOf(keys.manifest('2026-02-01')), 'utf8')) as {
      runId: string;
    };
    expect(manifest.runId).toBe(second.executionName);
  });

  it('keeps every date as its own partition and points latest/ at the newest date only', async () => {
    stack.spotify.options.snapshotDate = '2026-02-10';
    await stack.run({ snapshotDate: '2026-02-10' });
    stack.spotify.options.snapshotDate = '2026-02-05';
    const backfill = await stack.run({ snapshotDate: '2026-02-05' });
    const output = backfill.output as { load: { latestUpdated: boolean } };
    expect(output.load.latestUpdated).toBe(false);
    expect(readCsv(backfill.fileOf(keys.latestCsv())).rows[0]?.snapshot_date).toBe('2026-02-10');
    for (const date of ['2026-01-31', '2026-02-01', '2026-02-05', '2026-02-10']) {
      expect(statSync(backfill.fileOf(keys.curatedCsv(date))).isFile()).toBe(true);
    }
    // The sample chart moves between dates, so the partitions differ.
    const tenth = readCsv(backfill.fileOf(keys.curatedCsv('2026-02-10'))).rows.map((row) => row.track_id);
    const fifth = readCsv(backfill.fileOf(keys.curatedCsv('2026-02-05'))).rows.map((row) => row.track_id);
    expect(tenth).not.toEqual(fifth);
  });

  it('rejects malformed execution input as a failed execution with an actionable message', async () => {
    const result = await stack.run({ snapshotDate: '2026-02-30' });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidInputError');
    expect(result.cause).toContain('snapshotDate: must be a calendar date written YYYY-MM-DD');
    expect(stack.spotify.count()).toBe(0);
  });
});
