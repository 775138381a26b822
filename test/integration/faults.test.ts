import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { keys } from '../../functions/commons/domain/keys';
import { TOP_50_GLOBAL_PLAYLIST_ID } from '../../functions/commons/constants';
import { publishedFiles } from '../helpers/bucket-snapshot';
import { readCsv } from '../helpers/csv';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';
import { playlistWithOddEntries, SAMPLE_PLAYLIST_IDS } from '../spotify-stand-in/playlists';
import type { StandInOptions } from '../spotify-stand-in/server';
import { s3StoreDir, type LocalRunOptions } from '../../scripts/local/run-local';

/**
 * Spotify as it is in 2026 and every fault on the way, through whole local executions. Failing
 * cases check the error name, that the message says what to do, and that nothing published changed.
 */
const DATE = '2026-05-01';

interface Manifest {
  status: string;
  spotify: { requests: number; retries: number; rateLimitWaits: number; authMode?: string };
  playlists: {
    apiShape: string;
    skipped: Record<string, number>;
    enrichmentUnavailable: string[];
    rows: number;
  }[];
  failedPlaylists: { playlistId: string; error: string }[];
  rowsWritten: number;
  csvPublished: boolean;
}

describe('Spotify API shapes and faults', () => {
  let stack: LocalStack;

  async function freshStack(options: Partial<StandInOptions> = {}) {
    stack = await startLocalStack({ snapshotDate: DATE, ...options });
    return stack;
  }
  afterEach(() => stack.close());

  const manifestOf = (result: Awaited<ReturnType<LocalStack['run']>>, runManifest = false) =>
    JSON.parse(
      readFileSync(
        result.fileOf(runManifest ? keys.runManifest(DATE, result.executionName) : keys.manifest(DATE)),
        'utf8',
      ),
    ) as Manifest;

  /** Publishes a good day first, then runs the failing case and checks the good day survived. */
  async function expectFailureKeepsPublishedData(
    setUp: () => void,
    overrides: Partial<LocalRunOptions> = {},
  ) {
    const baseline = await stack.run({ snapshotDate: DATE });
    expect(baseline.status).toBe('SUCCEEDED');
    const before = await publishedFiles(baseline.bucketDir);
    expect(Object.keys(before)).toEqual(expect.arrayContaining([keys.curatedCsv(DATE), keys.latestCsv()]));
    setUp();
    stack.spotify.resetCounts();
    const failed = await stack.run({ snapshotDate: DATE, ...overrides });
    expect(failed.status).toBe('FAILED');
    expect(await publishedFiles(failed.bucketDir)).toEqual(before);
    expect(failed.notifications).toHaveLength(1);
    return failed;
  }

  describe('API shapes', () => {
    it('reads the legacy shape (/tracks, `track`) with every enrichment', async () => {
      await freshStack({ apiShape: 'legacy' });
      const result = await stack.run({ snapshotDate: DATE });
      expect(result.status).toBe('SUCCEEDED');
      const manifest = manifestOf(result);
      expect(manifest.playlists[0]).toMatchObject({
        apiShape: 'tracks',
        enrichmentUnavailable: [],
        rows: 50,
      });
      expect(readCsv(result.fileOf(keys.curatedCsv(DATE))).rows[0]?.popularity).toMatch(/^\d+$/);
    });

    it('reads the 2026 shape (/items, `item`), leaving refused enrichments and removed fields empty', async () => {
      await freshStack({ apiShape: '2026' });
      const result = await stack.run({ snapshotDate: DATE });
      expect(result.status).toBe('SUCCEEDED');
      const { rows } = readCsv(result.fileOf(keys.curatedCsv(DATE)));
      expect(rows).toHaveLength(50);
      for (const row of rows) {
        expect(row).toMatchObject({ popularity: '', artist_genres: '', danceability: '', tempo: '' });
        expect(row.track_name).not.toBe('');
        expect(row.isrc).not.toBe('');
      }
      const manifest = manifestOf(result);
      expect(manifest.playlists[0]).toMatchObject({
        apiShape: 'items',
        enrichmentUnavailable: ['artists (HTTP 404)', 'audio_features (HTTP 403)'],
      });
      // token, playlist with its first page embedded, one refused artists call, one refused audio-features call
      expect(stack.spotify.count()).toBe(4);
    });

    it('finds the items endpoint when the playlist does not embed its entries, and remembers it', async () => {
      await freshStack({ apiShape: 'legacy', embedFirstPage: false });
      const result = await stack.run({
        snapshotDate: DATE,
        playlistIds: [SAMPLE_PLAYLIST_IDS.global, SAMPLE_PLAYLIST_IDS.japan],
      });
      expect(result.status).toBe('SUCCEEDED');
      const itemRequests = stack.spotify.requests.filter((request) => request.endpoint === 'playlist_items');
      // /items answers 404 on the legacy API once; /tracks is then used for both playlists.
      expect(
        itemRequests.map((request) => [request.path.split('?')[0]?.split('/').pop(), request.status]),
      ).toEqual([
        ['items', 404],
        ['tracks', 200],
        ['tracks', 200],
      ]);
    });

    it('pages through long 2026 playlists 50 entries at a time', async () => {
      await freshStack({ apiShape: '2026', embedFirstPage: false });
      const { sizedPlaylist } = await import('../spotify-stand-in/playlists');
      stack.spotify.options.playlists.set('longPlaylist', sizedPlaylist('longPlaylist', 130));
      const result = await stack.run({ snapshotDate: DATE, playlistIds: ['longPlaylist'] });
      expect(result.status).toBe('SUCCEEDED');
      expect(readCsv(result.fileOf(keys.curatedCsv(DATE))).rows.map((row) => Number(row.rank))).toEqual(
        Array.from({ length: 130 }, (_, index) => index + 1),
      );
      expect(stack.spotify.count('playlist_items')).toBe(3);
    });
  });

  describe('paging and enrichment refusals', () => {
    async function longPlaylist() {
      await freshStack({ apiShape: '2026' });
      const { sizedPlaylist } = await import('../spotify-stand-in/playlists');
      stack.spotify.options.playlists.set('longPlaylist', sizedPlaylist('longPlaylist', 130));
    }

    it('a page cut short: InvalidSpotifyPayload, because a partial chart is not a snapshot', async () => {
      await longPlaylist();
      stack.spotify.options.faults.push({
        endpoint: 'playlist_items',
        body: { items: [], next: null, total: 130 },
        times: 1,
      });
      const result = await stack.run({ snapshotDate: DATE, playlistIds: ['longPlaylist'] });
      expect(result.status).toBe('FAILED');
      expect(result.error).toBe('InvalidSpotifyPayload');
      expect(result.cause).toContain('announced 130 entries for playlist longPlaylist but returned 50');
    });

    it('a later page refused: SpotifyPlaylistNotAccessible for that playlist only', async () => {
      await longPlaylist();
      stack.spotify.options.faults.push({
        endpoint: 'playlist_items',
        pathIncludes: 'longPlaylist',
        status: 403,
      });
      const result = await stack.run({
        snapshotDate: DATE,
        playlistIds: [TOP_50_GLOBAL_PLAYLIST_ID, 'longPlaylist'],
      });
      expect(result.error).toBe('PlaylistsFailed');
      expect(result.cause).toContain('longPlaylist: SpotifyPlaylistNotAccessible');
      expect(readCsv(result.fileOf(keys.curatedCsv(DATE))).rows).toHaveLength(50);
    });

    it('an enrichment call refused with another 4xx degrades too', async () => {
      await freshStack();
      stack.spotify.options.faults.push({ endpoint: 'artists', status: 400 });
      const result = await stack.run({ snapshotDate: DATE });
      expect(result.status).toBe('SUCCEEDED');
      expect(manifestOf(result).playlists[0]?.enrichmentUnavailable).toEqual(['artists (HTTP 400)']);
    });
  });

  describe('playlist entries that are not plain tracks', () => {
    it('skips null, local, episode, unavailable and duplicate entries by rule, counting each and keeping ranks', async () => {
      await freshStack();
      stack.spotify.options.playlists.set(
        TOP_50_GLOBAL_PLAYLIST_ID,
        playlistWithOddEntries(TOP_50_GLOBAL_PLAYLIST_ID, DATE),
      );
      const result = await stack.run({ snapshotDate: DATE });
      expect(result.status).toBe('SUCCEEDED');
      const { rows } = readCsv(result.fileOf(keys.curatedCsv(DATE)));
      expect(rows).toHaveLength(50);
      const ranks = rows.map((row) => Number(row.rank));
      for (const skipped of [3, 6, 10, 13, 21, 30]) expect(ranks).not.toContain(skipped);
      expect(ranks).toContain(56);
      expect(manifestOf(result).playlists[0]?.skipped).toEqual({
        null_item: 1,
        invalid: 1,
        local_file: 1,
        episode: 1,
        unavailable: 1,
        duplicate: 1,
      });
    });
  });

  describe('failures', () => {
    it('editorial playlist refused (404): SpotifyPlaylistNotAccessible names the playlist and the fixes', async () => {
      await freshStack();
      const failed = await expectFailureKeepsPublishedData(() =>
        stack.spotify.options.restrictedPlaylists.add(TOP_50_GLOBAL_PLAYLIST_ID),
      );
      expect(failed.error).toBe('SpotifyPlaylistNotAccessible');
      expect(failed.cause).toContain(TOP_50_GLOBAL_PLAYLIST_ID);
      expect(failed.cause).toContain('27 Nov 2024');
      expect(failed.cause).toContain('extended quota');
      expect(failed.cause).toContain('npm run spotify:authorize');
      // Not worth retrying: one playlist request only.
      expect(stack.spotify.count('playlist')).toBe(1);
    });

    it('bad client secret: SpotifyAuthError points at the credentials, without retrying', async () => {
      await freshStack();
      const wrongSecret = {
        apiUrl: stack.spotify.url,
        accountsUrl: stack.spotify.url,
        clientId: stack.spotify.options.clientId,
        clientSecret: 'revoked-secret',
      };
      const failed = await expectFailureKeepsPublishedData(() => undefined, { spotify: wrongSecret });
      expect(failed.error).toBe('SpotifyAuthError');
      expect(failed.cause).toContain('invalid_client');
      expect(failed.cause).toContain('SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET');
      expect(stack.spotify.count('token')).toBe(1);
    });

    it('429 with a short Retry-After: waits inside the Lambda and succeeds', async () => {
      await freshStack();
      stack.spotify.options.faults.push({
        endpoint: 'playlist',
        status: 429,
        retryAfterSeconds: 1,
        times: 1,
      });
      const started = Date.now();
      const result = await stack.run({ snapshotDate: DATE });
      expect(result.status).toBe('SUCCEEDED');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(manifestOf(result).spotify).toMatchObject({ rateLimitWaits: 1 });
    });

    it('429 with a long Retry-After: SpotifyRateLimited, retried later by Step Functions, then failed', async () => {
      await freshStack();
      const failed = await expectFailureKeepsPublishedData(() =>
        stack.spotify.options.faults.push({ endpoint: 'playlist', status: 429, retryAfterSeconds: 3600 }),
      );
      expect(failed.error).toBe('SpotifyRateLimited');
      expect(failed.cause).toContain('Retry-After 3600 s');
      const retries = failed.events.filter((event) => event.type === 'StateRetried');
      expect(retries).toHaveLength(3);
      expect(stack.spotify.count('playlist')).toBe(4);
    });

    it('500 then success: retried with backoff inside the Lambda', async () => {
      await freshStack();
      stack.spotify.options.faults.push({ endpoint: 'artists', status: 500, times: 1 });
      const result = await stack.run({ snapshotDate: DATE });
      expect(result.status).toBe('SUCCEEDED');
      expect(manifestOf(result).spotify).toMatchObject({ retries: 1 });
      expect(stack.spotify.count('artists')).toBe(2);
    });

    it('persistent 503: SpotifyUnavailable after bounded retries in the Lambda and in Step Functions', async () => {
      await freshStack();
      const failed = await expectFailureKeepsPublishedData(() =>
        stack.spotify.options.faults.push({ endpoint: 'playlist', status: 503 }),
      );
      expect(failed.error).toBe('SpotifyUnavailable');
      expect(failed.cause).toContain('after 4 attempts (last: HTTP 503)');
      // 4 attempts per invocation, 1 + 3 invocations
      expect(stack.spotify.count('playlist')).toBe(16);
    });

    it('a slow answer times out and is retried; a server that never answers in time fails SpotifyUnavailable', async () => {
      await freshStack();
      stack.spotify.options.faults.push({ endpoint: 'audio_features', delayMs: 3000, times: 1 });
      const env = { SPOTIFY_REQUEST_TIMEOUT_MS: '300' };
      const recovered = await stack.run({ snapshotDate: DATE, env });
      expect(recovered.status).toBe('SUCCEEDED');
      expect(stack.spotify.count('audio_features')).toBe(2);

      stack.spotify.options.faults.push({ endpoint: 'playlist', delayMs: 3000 });
      const failed = await stack.run({ snapshotDate: DATE, env: { ...env, SPOTIFY_MAX_ATTEMPTS: '2' } });
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toBe('SpotifyUnavailable');
      expect(failed.cause).toContain('no answer within 300 ms');
    });

    it('malformed JSON: InvalidSpotifyPayload, not retried', async () => {
      await freshStack();
      const failed = await expectFailureKeepsPublishedData(() =>
        stack.spotify.options.faults.push({ endpoint: 'playlist', malformed: true }),
      );
      expect(failed.error).toBe('InvalidSpotifyPayload');
      expect(failed.cause).toContain('is not valid JSON');
      expect(stack.spotify.count('playlist')).toBe(1);
    });

    it('JSON of the wrong shape: InvalidSpotifyPayload naming the field', async () => {
      await freshStack();
      const failed = await expectFailureKeepsPublishedData(() =>
        stack.spotify.options.faults.push({
          endpoint: 'playlist',
          body: { id: TOP_50_GLOBAL_PLAYLIST_ID, name: 42 },
        }),
      );
      expect(failed.error).toBe('InvalidSpotifyPayload');
      expect(failed.cause).toContain('does not have the documented shape');
      expect(failed.cause).toContain('name');
    });

    it('a staged object that disappears before Transform: StagingObjectMissing, nothing published', async () => {
      await freshStack();
      // The moment Transform starts, the staged payloads vanish from the local S3 server's store, as a
      // lifecycle expiry or a person's clean-up would make them vanish (before its first read arrives).
      const stagingStore = path.join(s3StoreDir(stack.dataDir), stack.bucket, 'staging');
      const failed = await expectFailureKeepsPublishedData(() => undefined, {
        onEvent: (event) => {
          if (event.type === 'StateEntered' && event.state.name === 'Transform') {
            rmSync(stagingStore, { recursive: true, force: true });
          }
        },
      });
      expect(failed.error).toBe('StagingObjectMissing');
      expect(failed.cause).toContain('is missing');
      expect(failed.cause).toContain('Start a new execution for this snapshot date');
    });

    it('quality gate: DataQualityError publishes nothing and keeps the staged data for a re-run', async () => {
      await freshStack();
      const failed = await expectFailureKeepsPublishedData(() => undefined, {
        env: { QUALITY_MIN_ROWS_PER_PLAYLIST: '60' },
      });
      expect(failed.error).toBe('DataQualityError');
      expect(failed.cause).toContain('50 rows, outside the allowed 60..10000');
      expect(failed.cause).toContain('QUALITY_');
      expect(
        readFileSync(failed.fileOf(keys.raw(DATE, failed.executionName, TOP_50_GLOBAL_PLAYLIST_ID)), 'utf8'),
      ).toContain(TOP_50_GLOBAL_PLAYLIST_ID);
    });
  });

  describe('retries resume', () => {
    it('a Step Functions retry of Extract reuses what the failed attempt already staged', async () => {
      await freshStack();
      // The second playlist fails one whole invocation (4 attempts), then recovers.
      stack.spotify.options.faults.push({
        endpoint: 'playlist',
        pathIncludes: SAMPLE_PLAYLIST_IDS.japan,
        status: 503,
        times: 4,
      });
      const result = await stack.run({
        snapshotDate: DATE,
        playlistIds: [SAMPLE_PLAYLIST_IDS.global, SAMPLE_PLAYLIST_IDS.japan],
      });
      expect(result.status).toBe('SUCCEEDED');
      expect(result.events.filter((event) => event.type === 'StateRetried')).toHaveLength(1);
      const playlistCalls = (id: string) =>
        stack.spotify.requests.filter(
          (request) => request.endpoint === 'playlist' && request.path.includes(id),
        ).length;
      expect(playlistCalls(SAMPLE_PLAYLIST_IDS.global)).toBe(1);
      expect(playlistCalls(SAMPLE_PLAYLIST_IDS.japan)).toBe(5);
      const output = result.output as { extract: { playlists: { playlistId: string; resumed: boolean }[] } };
      expect(output.extract.playlists.map((playlist) => [playlist.playlistId, playlist.resumed])).toEqual([
        [SAMPLE_PLAYLIST_IDS.global, true],
        [SAMPLE_PLAYLIST_IDS.japan, false],
      ]);
      expect(readCsv(result.fileOf(keys.curatedCsv(DATE))).rows).toHaveLength(100);
    });
  });

  describe('several playlists, one failing', () => {
    const playlists = [SAMPLE_PLAYLIST_IDS.global, SAMPLE_PLAYLIST_IDS.japan];

    it('writes the playlists that worked, records the failure and fails the execution', async () => {
      await freshStack();
      stack.spotify.options.restrictedPlaylists.add(SAMPLE_PLAYLIST_IDS.japan);
      const result = await stack.run({ snapshotDate: DATE, playlistIds: playlists });
      expect(result.status).toBe('FAILED');
      expect(result.error).toBe('PlaylistsFailed');
      expect(result.cause).toContain(`${SAMPLE_PLAYLIST_IDS.japan}: SpotifyPlaylistNotAccessible`);
      const { rows } = readCsv(result.fileOf(keys.curatedCsv(DATE)));
      expect(new Set(rows.map((row) => row.playlist_id))).toEqual(new Set([SAMPLE_PLAYLIST_IDS.global]));
      const manifest = manifestOf(result);
      expect(manifest).toMatchObject({ status: 'partial', rowsWritten: 50 });
      expect(manifest.failedPlaylists.map((failure) => failure.playlistId)).toEqual([
        SAMPLE_PLAYLIST_IDS.japan,
      ]);
    });

    it('never replaces a complete day with a partial re-run', async () => {
      await freshStack();
      const complete = await stack.run({ snapshotDate: DATE, playlistIds: playlists });
      expect(complete.status).toBe('SUCCEEDED');
      const before = await publishedFiles(complete.bucketDir);
      stack.spotify.options.restrictedPlaylists.add(SAMPLE_PLAYLIST_IDS.japan);
      const partial = await stack.run({ snapshotDate: DATE, playlistIds: playlists });
      expect(partial.status).toBe('FAILED');
      expect(partial.cause).toContain('was kept unchanged');
      expect(await publishedFiles(partial.bucketDir)).toEqual(before);
      expect(manifestOf(partial, true)).toMatchObject({ csvPublished: false, rowsWritten: 0 });
    });
  });
});
