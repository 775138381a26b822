import { readFileSync, statSync } from 'node:fs';
import { keys } from '../../functions/commons/domain/keys';
import {
  parseSourceRef,
  TOP_50_GLOBAL_PLAYLIST_ID,
  type SourceRef,
} from '../../functions/commons/domain/sources';
import { TOP_TRACKS } from '../../functions/datasets/top-tracks';
import type { Json } from '../../scripts/local/state-machine';
import { readCsv } from '../helpers/csv';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';
import { chartFor } from '../spotify-stand-in/sample-data';

const CHART = `playlist:${TOP_50_GLOBAL_PLAYLIST_ID}`;
const chart = (): SourceRef => {
  const parsed = parseSourceRef(CHART);
  if (!('ref' in parsed)) throw new Error(parsed.problem);
  return parsed;
};

/**
 * Whole executions of statemachines/pipeline.asl.yml with the real handlers, s3rver and the
 * stand-in as an extended-quota app sees Spotify (the only kind of app that may read the Top 50).
 */
describe('local execution of the deployed state machine', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ mode: 'extended_quota', snapshotDate: '2026-01-31' });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.spotify.resetCounts());

  it('runs Plan, one Extract/Transform/Load iteration per source and Finalize, and writes 50 documented rows', async () => {
    stack.spotify.options.snapshotDate = '2026-01-31';
    const result = await stack.run({ snapshotDate: '2026-01-31', sources: [CHART] });
    expect(result.status).toBe('SUCCEEDED');

    const entered = result.events
      .filter((event) => event.type === 'StateEntered')
      .map((event) => ('state' in event ? event.state.name : ''));
    expect(entered).toEqual([
      'Plan',
      'IsImport',
      'Sources',
      'FromSpotify',
      'Extract',
      'Transform',
      'Load',
      'SourceSucceeded',
      'Finalize',
      'WarnIfNeeded',
      'Succeeded',
    ]);

    const csvKey = keys.topTracksCsv('2026-01-31', chart());
    const { header, rows } = readCsv(result.fileOf(csvKey));
    expect(header).toEqual(TOP_TRACKS.columns.map((column) => column.name));
    expect(rows).toHaveLength(50);
    expect(rows.map((row) => row.rank)).toEqual(Array.from({ length: 50 }, (_, index) => String(index + 1)));
    expect(rows.map((row) => row.track_id)).toEqual(chartFor('2026-01-31').map((track) => track.id));
    for (const row of rows) {
      expect(row).toMatchObject({
        snapshot_date: '2026-01-31',
        playlist_id: TOP_50_GLOBAL_PLAYLIST_ID,
        playlist_name: 'Top 50 - Global',
        source: CHART,
        source_name: 'Top 50 - Global',
      });
      expect((row.artist_names ?? '').split('|')).toHaveLength((row.artist_ids ?? '').split('|').length);
    }
    // Names from the sample with line breaks are cleaned; formulas are neutralized.
    expect(rows.some((row) => row.track_name === 'Line One Line Two')).toBe(true);
    expect(rows.filter((row) => /^[=+\-@]/.test(row.track_name ?? ''))).toEqual([]);

    expect(readFileSync(result.fileOf(keys.latestTopTracksCsv(chart())), 'utf8')).toBe(
      readFileSync(result.fileOf(csvKey), 'utf8'),
    );
    // token + playlist (first page embedded) + one artists batch + one audio-features batch
    expect(stack.spotify.count()).toBe(4);
    // Only keys and counts travel in the state payload.
    expect(JSON.stringify(result.output).length).toBeLessThan(8192);
  });

  it('replaces the same date on a re-run instead of adding rows, byte for byte', async () => {
    const first = await stack.run({ snapshotDate: '2026-02-01', sources: [CHART] });
    const csvFile = first.fileOf(keys.topTracksCsv('2026-02-01', chart()));
    const before = readFileSync(csvFile, 'utf8');
    const second = await stack.run({ snapshotDate: '2026-02-01', sources: [CHART] });
    expect(second.status).toBe('SUCCEEDED');
    expect(readCsv(csvFile).rows).toHaveLength(50);
    expect(readFileSync(csvFile, 'utf8')).toBe(before);
    const manifest: unknown = JSON.parse(readFileSync(second.fileOf(second.manifestKey), 'utf8'));
    expect(manifest).toMatchObject({ runId: second.executionName, status: 'succeeded', rowsWritten: 50 });
  });

  it('keeps every date as its own partition and points latest/ at the newest date only', async () => {
    stack.spotify.options.snapshotDate = '2026-02-10';
    await stack.run({ snapshotDate: '2026-02-10', sources: [CHART] });
    stack.spotify.options.snapshotDate = '2026-02-05';
    const backfill = await stack.run({ snapshotDate: '2026-02-05', sources: [CHART] });
    expect(backfill.status).toBe('SUCCEEDED');
    expect(readCsv(backfill.fileOf(keys.latestTopTracksCsv(chart()))).rows[0]?.snapshot_date).toBe(
      '2026-02-10',
    );
    for (const date of ['2026-01-31', '2026-02-01', '2026-02-05', '2026-02-10']) {
      expect(statSync(backfill.fileOf(keys.topTracksCsv(date, chart()))).isFile()).toBe(true);
    }
    const tenth = readCsv(backfill.fileOf(keys.topTracksCsv('2026-02-10', chart()))).rows.map(
      (row) => row.track_id,
    );
    const fifth = readCsv(backfill.fileOf(keys.topTracksCsv('2026-02-05', chart()))).rows.map(
      (row) => row.track_id,
    );
    expect(tenth).not.toEqual(fifth);
  });

  it('accepts the 0.1 input spelling playlistIds, a pasted link and a spotify: URI as the same source', async () => {
    const inputs: Json[] = [
      { playlistIds: [TOP_50_GLOBAL_PLAYLIST_ID] },
      { sources: [`https://open.spotify.com/playlist/${TOP_50_GLOBAL_PLAYLIST_ID}?si=abc123`] },
      { sources: `spotify:playlist:${TOP_50_GLOBAL_PLAYLIST_ID}` },
    ];
    for (const input of inputs) {
      const result = await stack.run({ snapshotDate: '2026-02-10', input });
      expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
      const manifest: unknown = JSON.parse(readFileSync(result.fileOf(result.manifestKey), 'utf8'));
      expect(manifest).toMatchObject({ sources: [{ source: CHART, status: 'succeeded' }] });
    }
  });

  it('rejects malformed execution input as a failed execution with an actionable message', async () => {
    const cases: [Json, string][] = [
      [
        { sources: ['me:top-tracks:forever'] },
        'the time range must be one of short_term, medium_term, long_term',
      ],
      [{ sources: ['https://example.com/playlist/x'] }, 'is not an open.spotify.com/playlist/ link'],
      [{ playlist: ['x'] }, 'Unrecognized key'],
      [{ snapshotDate: '2026-02-09' }, "is not the execution's own UTC date"],
    ];
    for (const [input, message] of cases) {
      const result = await stack.run({ snapshotDate: '2026-02-10', input });
      expect([result.status, result.error]).toEqual(['FAILED', 'InvalidInputError']);
      expect(result.cause).toContain(message);
      // A run that never reached Finalize still leaves its manifest, with the error.
      const manifest: unknown = JSON.parse(readFileSync(result.fileOf(result.manifestKey), 'utf8'));
      expect(manifest).toMatchObject({
        status: 'failed',
        error: { name: 'InvalidInputError' },
        rowsWritten: 0,
      });
      expect(JSON.stringify(manifest)).toContain(message.slice(0, 20));
    }
    expect(stack.spotify.count()).toBe(0);
  });
});
