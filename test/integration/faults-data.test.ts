import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { keys, toRunId } from '../../functions/commons/domain/keys';
import { TOP_50_GLOBAL_PLAYLIST_ID } from '../../functions/commons/domain/sources';
import { emptySkipCounts } from '../../functions/commons/domain/tracks';
import { localS3Client } from '../../scripts/local/local-s3';
import { s3StoreDir, type LocalRunOptions, type LocalRunResult } from '../../scripts/local/run-local';
import { publishedFiles } from '../helpers/bucket-snapshot';
import { readCsv } from '../helpers/csv';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';
import { playlistWithOddEntries, SAMPLE_PLAYLIST_IDS, sizedPlaylist } from '../spotify-stand-in/playlists';
import { CHART, manifestOf, onlySource, retriesOf, source } from './faults-support';

/**
 * What Spotify's answers hold and what the pipeline does with them between Extract and Load:
 * the 2026 development-mode shape, paging, odd entries, refused enrichments, staged objects that
 * vanish, the quality gate and Step Functions retries that resume from raw/.
 */
const DAY = '2026-05-01';
const JAPAN = `playlist:${SAMPLE_PLAYLIST_IDS.japan}`;
const OWNED = `playlist:${SAMPLE_PLAYLIST_IDS.weeklyPicks}`;
const LONG = 'playlist:longPlaylist';
const ODD = 'playlist:oddEntries';
const now = () => new Date(`${DAY}T06:00:00Z`);

const rowsOf = (result: LocalRunResult, ref: string) =>
  readCsv(result.fileOf(keys.topTracksCsv(DAY, source(ref)))).rows;

describe('a development-mode app reading playlists with a user token', () => {
  let stack: LocalStack;
  let token: string;
  const runAsUser = (sources: string[], options: Partial<LocalRunOptions> = {}) =>
    stack.runAsUser(token, { snapshotDate: DAY, sources, ...options });

  beforeAll(async () => {
    stack = await startLocalStack({ snapshotDate: DAY, now });
    stack.spotify.options.playlists.set('longPlaylist', sizedPlaylist('longPlaylist', 130));
    stack.spotify.options.playlists.set('oddEntries', playlistWithOddEntries('oddEntries', DAY));
    token = stack.spotify.grantRefreshToken();
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.spotify.options.faults = [];
    stack.spotify.resetCounts();
  });

  it('reads the 2026 shape (/items, `item`), leaving refused enrichments and removed fields empty', async () => {
    const result = await runAsUser([OWNED]);
    expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    const rows = rowsOf(result, OWNED);
    expect(rows).toHaveLength(30);
    for (const row of rows) {
      expect(row).toMatchObject({ popularity: '', artist_genres: '', danceability: '', tempo: '' });
      expect(row.track_name).not.toBe('');
      expect(row.isrc).not.toBe('');
      expect(row.added_at).not.toBe('');
    }
    expect(onlySource(result)).toMatchObject({
      apiMode: 'items',
      enrichmentUnavailable: ['artists (HTTP 403)', 'audio_features (HTTP 403)'],
      spotify: { authMode: 'user_token' },
    });
    // token, playlist with its first page embedded, one refused artists call, one refused audio-features call
    expect(stack.spotify.requests.map((request) => [request.endpoint, request.status])).toEqual([
      ['token', 200],
      ['playlist', 200],
      ['artists', 403],
      ['audio_features', 403],
    ]);
  });

  it('with client credentials: metadata without entries, 403 on /items, and /tracks is not tried', async () => {
    const result = await stack.run({ snapshotDate: DAY, sources: [OWNED] });
    expect([result.status, result.error]).toEqual(['FAILED', 'SpotifyPlaylistNotAccessible']);
    expect(result.cause).toContain('HTTP 403');
    expect(result.cause).toContain('an app token (client credentials) has no user');
    expect(stack.spotify.requests.map((request) => [request.path.split('?')[0], request.status])).toEqual([
      ['/api/token', 200],
      [`/v1/playlists/${SAMPLE_PLAYLIST_IDS.weeklyPicks}`, 200],
      [`/v1/playlists/${SAMPLE_PLAYLIST_IDS.weeklyPicks}/items`, 403],
    ]);
  });

  it('pages through a long playlist 50 entries at a time after the embedded first page', async () => {
    const result = await runAsUser([LONG]);
    expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    expect(rowsOf(result, LONG).map((row) => Number(row.rank))).toEqual(
      Array.from({ length: 130 }, (_, index) => index + 1),
    );
    const pages = stack.spotify.requests.filter((request) => request.endpoint === 'playlist_items');
    expect(pages.map((request) => request.path)).toEqual([
      '/v1/playlists/longPlaylist/items?offset=50&limit=50',
      '/v1/playlists/longPlaylist/items?offset=100&limit=50',
    ]);
    expect(onlySource(result)).toMatchObject({ entries: 130, rowsWritten: 130 });
  });

  it('a page cut short: InvalidSpotifyPayload, because a partial list is not a snapshot', async () => {
    stack.spotify.options.faults.push({
      endpoint: 'playlist_items',
      body: { items: [], next: null, total: 130 },
      times: 1,
    });
    const before = await publishedFiles(path.join(stack.dataDir, stack.bucket));
    const result = await runAsUser([LONG]);
    expect([result.status, result.error]).toEqual(['FAILED', 'InvalidSpotifyPayload']);
    expect(result.cause).toContain('announced 130 entries for playlist longPlaylist but returned 50');
    expect(result.cause).toContain('Retry the execution');
    expect(await publishedFiles(result.bucketDir)).toEqual(before);
  });

  it('a later page refused: SpotifyPlaylistNotAccessible for that playlist only, the other published', async () => {
    stack.spotify.options.faults.push({
      endpoint: 'playlist_items',
      pathIncludes: 'longPlaylist',
      status: 403,
    });
    const result = await runAsUser([OWNED, LONG]);
    expect([result.status, result.error]).toEqual(['FAILED', 'SourcesFailed']);
    expect(result.cause).toContain(`${LONG}: SpotifyPlaylistNotAccessible`);
    expect(result.cause).toContain('1 of 2 sources failed');
    expect(rowsOf(result, OWNED)).toHaveLength(30);
    expect(manifestOf(result)).toMatchObject({
      status: 'partial',
      rowsWritten: 30,
      sources: [
        { source: OWNED, status: 'succeeded' },
        { source: LONG, status: 'failed', error: 'SpotifyPlaylistNotAccessible', published: [] },
      ],
    });
  });

  it('skips null, local, episode, malformed and duplicate entries by rule, counting each and keeping ranks', async () => {
    const result = await runAsUser([ODD]);
    expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    const rows = rowsOf(result, ODD);
    expect(rows).toHaveLength(50);
    const ranks = rows.map((row) => Number(row.rank));
    for (const skipped of [3, 6, 10, 13, 21, 30]) expect(ranks).not.toContain(skipped);
    expect(ranks).toContain(56);
    // Position 13 is a track its market cannot play (`is_playable: false`): a track with an id like
    // any other (README: `unavailable` is a track without an id), here the same as position 2, so
    // it counts as a duplicate, as position 21 (position 1 again) does.
    expect(onlySource(result)).toMatchObject({
      itemsSeen: 56,
      skipped: { ...emptySkipCounts(), null_item: 1, invalid: 1, local_file: 1, episode: 1, duplicate: 2 },
    });
  });
});

describe('an extended-quota app: enrichments, staging and retries', () => {
  let stack: LocalStack;
  const run = (options: Partial<LocalRunOptions> = {}) =>
    stack.run({ snapshotDate: DAY, sources: [CHART], ...options });

  beforeAll(async () => {
    stack = await startLocalStack({ mode: 'extended_quota', snapshotDate: DAY, now });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.spotify.options.faults = [];
    stack.spotify.resetCounts();
  });

  /** Publishes a good day first, then runs the failing case and checks the good day survived. */
  async function expectFailureKeepsPublishedData(error: string, options: Partial<LocalRunOptions>) {
    const baseline = await run();
    expect([baseline.status, baseline.cause]).toEqual(['SUCCEEDED', undefined]);
    const before = await publishedFiles(baseline.bucketDir);
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining([keys.topTracksCsv(DAY, source(CHART)), keys.latestTopTracksCsv(source(CHART))]),
    );
    const failed = await run(options);
    expect([failed.status, failed.error]).toEqual(['FAILED', error]);
    expect(await publishedFiles(failed.bucketDir)).toEqual(before);
    expect(failed.notifications).toHaveLength(1);
    return failed;
  }

  it('an enrichment refused with another 4xx degrades to empty columns, the source still published', async () => {
    stack.spotify.options.faults.push({ endpoint: 'artists', status: 400 });
    const result = await run();
    expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    expect(onlySource(result).enrichmentUnavailable).toEqual(['artists (HTTP 400)']);
    const rows = rowsOf(result, CHART);
    expect(rows.every((row) => row.artist_genres === '' && row.danceability !== '')).toBe(true);
  });

  it.each([
    ['Transform', 'raw'],
    ['Load', 'staging'],
  ])(
    'an object that disappears before %s (%s/): StagingObjectMissing, nothing published',
    async (state, prefix) => {
      // The moment the state starts, the objects vanish from the local S3 server's store, as a
      // lifecycle expiry or a person's clean-up would make them vanish (before its first read arrives).
      const store = path.join(s3StoreDir(stack.dataDir), stack.bucket, prefix);
      const failed = await expectFailureKeepsPublishedData('StagingObjectMissing', {
        onEvent: (event) => {
          if (event.type === 'StateEntered' && event.state.name === state) {
            rmSync(store, { recursive: true, force: true });
          }
        },
      });
      expect(failed.cause).toContain('is missing');
      expect(failed.cause).toContain('Start a new execution');
      expect(retriesOf(failed)).toBe(0);
    },
  );

  it('quality gate: DataQualityError publishes nothing and keeps the raw and staged data for inspection', async () => {
    const failed = await expectFailureKeepsPublishedData('DataQualityError', {
      env: { QUALITY_MAX_ROWS_PER_SOURCE: '40' },
    });
    expect(failed.cause).toContain('50 rows, outside the allowed 1..40');
    expect(failed.cause).toContain('QUALITY_');
    const runId = toRunId(failed.executionName);
    const rawKey = keys.raw(DAY, source(CHART), runId);
    expect(gunzipSync(readFileSync(failed.fileOf(rawKey))).toString('utf8')).toContain(
      TOP_50_GLOBAL_PLAYLIST_ID,
    );
    expect(readFileSync(failed.fileOf(keys.normalized(runId, source(CHART), rawKey)), 'utf8')).toContain(
      TOP_50_GLOBAL_PLAYLIST_ID,
    );
    expect(onlySource(failed)).toMatchObject({ status: 'failed', error: 'DataQualityError' });
  });

  it('a Step Functions retry of Extract reuses what an earlier attempt already staged under raw/', async () => {
    const earlier = await run();
    expect(earlier.status).toBe('SUCCEEDED');
    const staged = gunzipSync(
      readFileSync(earlier.fileOf(keys.raw(DAY, source(CHART), toRunId(earlier.executionName)))),
    ).toString('utf8');
    stack.spotify.resetCounts();
    // The first attempt of Extract fails one whole invocation (4 attempts); meanwhile its answer
    // lands under raw/, as an attempt that stored it and then ran out of time would leave it.
    stack.spotify.options.faults.push({ endpoint: 'playlist', status: 503, delayMs: 100, times: 4 });
    const extractInput = z.object({ run: z.object({ runId: z.string() }) });
    let staging: Promise<unknown> | undefined;
    const result = await run({
      onEvent: (event) => {
        if (staging || event.type !== 'StateEntered' || event.state.name !== 'Extract') return;
        const { runId } = extractInput.parse(event.state.input).run;
        const s3 = localS3Client(stack.s3.endpoint);
        staging = s3
          .send(
            new PutObjectCommand({
              Bucket: stack.bucket,
              Key: keys.raw(DAY, source(CHART), runId),
              Body: gzipSync(staged.replace(toRunId(earlier.executionName), runId)),
              ContentType: 'application/gzip',
            }),
          )
          .finally(() => s3.destroy());
      },
    });
    await staging;
    expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    expect(retriesOf(result)).toBe(1);
    // The retry did not ask Spotify again.
    expect(stack.spotify.count('playlist')).toBe(4);
    expect(onlySource(result)).toMatchObject({ resumed: true, rowsWritten: 50 });
    expect(rowsOf(result, CHART)).toHaveLength(50);
  });

  it('a same-day re-run where one source fails leaves that source’s file of the day as it was', async () => {
    const complete = await run({ sources: [CHART, JAPAN] });
    expect([complete.status, complete.cause]).toEqual(['SUCCEEDED', undefined]);
    const before = await publishedFiles(complete.bucketDir);
    expect(Object.keys(before)).toEqual(expect.arrayContaining([keys.topTracksCsv(DAY, source(JAPAN))]));
    stack.spotify.options.faults.push({
      endpoint: 'playlist',
      pathIncludes: SAMPLE_PLAYLIST_IDS.japan,
      status: 404,
    });
    const partial = await run({ sources: [CHART, JAPAN] });
    expect([partial.status, partial.error]).toEqual(['FAILED', 'SourcesFailed']);
    expect(partial.cause).toContain(`${JAPAN}: SpotifyPlaylistNotAccessible`);
    expect(partial.cause).toContain("Each failed source's earlier data is untouched");
    expect(await publishedFiles(partial.bucketDir)).toEqual(before);
    expect(manifestOf(partial)).toMatchObject({
      status: 'partial',
      rowsWritten: 50,
      sources: [
        { source: CHART, status: 'succeeded' },
        { source: JAPAN, status: 'failed', published: [] },
      ],
    });
  });
});
