import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { localS3Client } from '../../scripts/local/local-s3';
import { keys } from '../../functions/commons/domain/keys';
import {
  parseSourceRef,
  TOP_50_GLOBAL_PLAYLIST_ID,
  type SourceRef,
} from '../../functions/commons/domain/sources';
import { TOP_TRACKS } from '../../functions/datasets/top-tracks';
import { RECENTLY_PLAYED } from '../../functions/datasets/recently-played';
import type { LocalRunResult } from '../../scripts/local/run-local';
import { publishedFiles } from '../helpers/bucket-snapshot';
import { readCsv } from '../helpers/csv';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';
import { SAMPLE_PLAYLIST_IDS } from '../spotify-stand-in/playlists';
import { latestPlays } from '../spotify-stand-in/sample-data';

/**
 * What a Spotify app created today gets, through whole local executions of the deployed state
 * machine against the stand-in's development-mode model (the default) and its extended-quota mode.
 */
const source = (ref: string): SourceRef => {
  const parsed = parseSourceRef(ref);
  if (!('ref' in parsed)) throw new Error(parsed.problem);
  return parsed;
};
const CHART = `playlist:${TOP_50_GLOBAL_PLAYLIST_ID}`;
const OWNED = `playlist:${SAMPLE_PLAYLIST_IDS.weeklyPicks}`;
const NOT_OWNED = `playlist:${SAMPLE_PLAYLIST_IDS.lateNight}`;
const DAY = '2026-11-20';
const at = (iso: string) => () => new Date(iso);

function manifestOf(result: LocalRunResult): {
  sources: { source: string; status: string; error?: string }[];
} {
  const parsed: unknown = JSON.parse(readFileSync(result.fileOf(result.manifestKey), 'utf8'));
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !('sources' in parsed) ||
    !Array.isArray(parsed.sources)
  ) {
    throw new Error('manifest without sources');
  }
  return { sources: parsed.sources as { source: string; status: string; error?: string }[] };
}

async function deleteObject(stack: LocalStack, key: string): Promise<void> {
  const s3 = localS3Client(stack.s3.endpoint);
  await s3.send(new DeleteObjectCommand({ Bucket: stack.bucket, Key: key }));
  s3.destroy();
}

function playsIn(result: LocalRunResult, days: readonly string[]): string[] {
  return days.flatMap((day) => {
    const file = result.fileOf(keys.playsCsv(day));
    try {
      return readCsv(file).rows.map((row) => `${row.played_at ?? ''}|${row.track_id ?? ''}`);
    } catch {
      return [];
    }
  });
}

describe('a new development-mode app', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ snapshotDate: DAY, now: at(`${DAY}T06:00:00Z`) });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.spotify.resetCounts());

  it('with client credentials and the Top 50 fails fast with SpotifyPlaylistNotAccessible and says how to switch', async () => {
    const result = await stack.run({ snapshotDate: DAY, sources: [CHART] });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('SpotifyPlaylistNotAccessible');
    expect(result.cause).toContain('404');
    expect(result.cause).toContain('npm run spotify:authorize');
    expect(result.cause).toContain('--param="sources=me:top-tracks:short_term');
    expect(stack.spotify.count('playlist')).toBe(1);
    expect(stack.spotify.count('playlist_items')).toBe(0);
    expect(await publishedFiles(result.bucketDir)).toEqual({});
    // The failure path alerts, and the run still leaves its manifest.
    expect(result.notifications).toHaveLength(1);
    expect(manifestOf(result).sources).toEqual([
      expect.objectContaining({ source: CHART, status: 'failed' }),
    ]);
  });

  it('refuses sources that need a user when it has only client credentials, before calling Spotify', async () => {
    const result = await stack.run({ snapshotDate: DAY, sources: ['me:top-tracks:short_term'] });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidInputError');
    expect(result.cause).toContain('spotifyAuthMode=user_token');
    expect(stack.spotify.count()).toBe(0);
  });
});

describe.each([
  ['a rotating', true],
  ['a non-rotating', false],
])('user-token mode against %s token server', (_label, rotate) => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({
      snapshotDate: DAY,
      now: at(`${DAY}T06:00:00Z`),
      rotateRefreshTokens: rotate,
    });
  });
  afterAll(() => stack.close());

  it('publishes your top tracks, your plays and your own playlist, and a second run right after succeeds too', async () => {
    const token = stack.spotify.grantRefreshToken();
    const sources = ['me:top-tracks:short_term', 'me:recently-played', OWNED];
    const first = await stack.runAsUser(token, { snapshotDate: DAY, sources });
    expect([first.status, first.error, first.cause]).toEqual(['SUCCEEDED', undefined, undefined]);
    const second = await stack.runAsUser(token, { snapshotDate: DAY, sources });
    expect([second.status, second.error, second.cause]).toEqual(['SUCCEEDED', undefined, undefined]);

    const top = readCsv(second.fileOf(keys.topTracksCsv(DAY, source('me:top-tracks:short_term'))));
    expect(top.header).toEqual(TOP_TRACKS.columns.map((column) => column.name));
    expect(top.rows).toHaveLength(50);
    expect(top.rows.map((row) => row.rank)).toEqual(
      Array.from({ length: 50 }, (_, index) => String(index + 1)),
    );
    for (const row of top.rows) {
      expect(row).toMatchObject({
        source: 'me:top-tracks:short_term',
        playlist_id: '',
        added_at: '',
        popularity: '',
      });
    }
    const owned = readCsv(second.fileOf(keys.topTracksCsv(DAY, source(OWNED)))).rows;
    expect(owned.length).toBeGreaterThan(0);
    expect(owned[0]).toMatchObject({ source: OWNED, playlist_id: SAMPLE_PLAYLIST_IDS.weeklyPicks });
    // Development mode: no audio features, no genres, and the manifest says which API answered.
    expect(owned.every((row) => row.danceability === '' && row.artist_genres === '')).toBe(true);

    const plays = playsIn(second, [DAY, '2026-11-19']);
    expect(plays).toHaveLength(50);
    expect(new Set(plays).size).toBe(50);
    const header = readCsv(second.fileOf(keys.playsCsv(DAY))).header;
    expect(header).toEqual(RECENTLY_PLAYED.columns.map((column) => column.name));
    // Two token calls per run at most one per source; rotation persisted and reused.
    expect(manifestOf(second).sources.map((entry) => entry.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
  });
});

describe('recently played', () => {
  it('keeps every play exactly once across overlapping runs, including a run whose cursor was lost', async () => {
    let now = new Date('2026-11-21T08:00:00.000Z');
    const stack = await startLocalStack({ snapshotDate: '2026-11-21', now: () => now });
    try {
      const token = stack.spotify.grantRefreshToken();
      const expected = new Set<string>();
      const times = ['2026-11-21T08:00:00.000Z', '2026-11-21T09:00:00.000Z', '2026-11-21T09:40:00.000Z'];
      let last: LocalRunResult | undefined;
      for (const [index, time] of times.entries()) {
        now = new Date(time);
        for (const play of latestPlays(stack.spotify.options.listening, now)) {
          expected.add(`${new Date(play.playedAt).toISOString()}|${play.track.id}`);
        }
        // The third run has lost its cursor (a deleted state/ object): it fetches all 50 again.
        if (index === 2) await deleteObject(stack, keys.recentlyPlayedCursor());
        last = await stack.runAsUser(token, { snapshotDate: '2026-11-21', sources: ['me:recently-played'] });
        expect([last.status, last.cause]).toEqual(['SUCCEEDED', undefined]);
      }
      if (!last) throw new Error('no run');
      const plays = playsIn(last, ['2026-11-20', '2026-11-21']);
      expect(new Set(plays).size).toBe(plays.length);
      expect(new Set(plays)).toEqual(expected);
    } finally {
      await stack.close();
    }
  });
});

describe('a failing source', () => {
  let stack: LocalStack;
  let token: string;
  const SOURCES = ['me:top-tracks:short_term', 'me:recently-played', OWNED];
  beforeAll(async () => {
    stack = await startLocalStack({ snapshotDate: DAY, now: at(`${DAY}T06:00:00Z`) });
    token = stack.spotify.grantRefreshToken();
    const first = await stack.runAsUser(token, { snapshotDate: DAY, sources: SOURCES });
    expect(first.status).toBe('SUCCEEDED');
  });
  afterAll(() => stack.close());
  afterEach(() => {
    stack.spotify.options.faults = [];
    stack.spotify.options.ownerHasPremium = true;
  });

  /** Each failure must leave every published file (curated/, latest/) byte for byte as it was. */
  async function expectFailure(
    run: () => Promise<LocalRunResult>,
    error: string,
    advice: string | RegExp,
  ): Promise<LocalRunResult> {
    const before = await publishedFiles(path.join(stack.dataDir, stack.bucket));
    const result = await run();
    expect([result.status, result.error]).toEqual(['FAILED', error]);
    expect(result.cause).toMatch(advice);
    expect(await publishedFiles(result.bucketDir)).toEqual(before);
    return result;
  }

  it("someone else's playlist: SpotifyPlaylistNotAccessible, with the rule and the fix", async () => {
    await expectFailure(
      () => stack.runAsUser(token, { snapshotDate: DAY, sources: [NOT_OWNED] }),
      'SpotifyPlaylistNotAccessible',
      /HTTP 403.*owns or collaborates on/,
    );
  });

  it('a token without the scope a source needs: SpotifyScopeMissing, naming the command', async () => {
    const narrow = stack.spotify.grantRefreshToken({ scopes: ['user-read-recently-played'] });
    await expectFailure(
      () => stack.runAsUser(narrow, { snapshotDate: DAY, sources: ['me:top-tracks:short_term'] }),
      'SpotifyScopeMissing',
      /npm run spotify:authorize/,
    );
  });

  it('a revoked refresh token: SpotifyAuthError saying it was revoked and how to authorize again', async () => {
    const revoked = stack.spotify.grantRefreshToken();
    stack.spotify.options.rotateRefreshTokens = true;
    try {
      // Someone else used (and so rotated away) this token: it is revoked now.
      await fetch(`${stack.spotify.url}/api/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: revoked,
          client_id: stack.spotify.options.clientId,
        }).toString(),
      });
      await expectFailure(
        () => stack.runAsUser(revoked, { snapshotDate: DAY, sources: SOURCES }),
        'SpotifyAuthError',
        /revoked.*npm run spotify:authorize/s,
      );
    } finally {
      stack.spotify.options.rotateRefreshTokens = false;
    }
  });

  it('an expired refresh token (six months after the authorization): SpotifyAuthError saying so', async () => {
    const old = stack.spotify.grantRefreshToken({ authorizedAt: new Date('2026-05-01T00:00:00Z') });
    await expectFailure(
      () => stack.runAsUser(old, { snapshotDate: DAY, sources: SOURCES }),
      'SpotifyAuthError',
      /expire six months after.*npm run spotify:authorize/s,
    );
  });

  it('an app owner without Premium: SpotifyPremiumRequired', async () => {
    stack.spotify.options.ownerHasPremium = false;
    await expectFailure(
      () => stack.runAsUser(token, { snapshotDate: DAY, sources: SOURCES }),
      'SpotifyPremiumRequired',
      /Premium/,
    );
  });

  it('QUOTA_EXCEEDED: SpotifyQuotaExceeded, not retried, saying the quota is per developer account', async () => {
    stack.spotify.options.faults = [{ endpoint: 'top_tracks', quotaExceeded: true }];
    const result = await expectFailure(
      () => stack.runAsUser(token, { snapshotDate: DAY, sources: ['me:top-tracks:short_term'] }),
      'SpotifyQuotaExceeded',
      /per developer account/,
    );
    expect(result.events.filter((event) => event.type === 'StateRetried')).toEqual([]);
    expect(stack.spotify.count('top_tracks')).toBeGreaterThan(0);
  });

  it('one failing source of three leaves the other two published and its own earlier data untouched', async () => {
    const NEXT = '2026-11-21';
    stack.spotify.options.snapshotDate = NEXT;
    stack.spotify.options.now = at(`${NEXT}T06:00:00Z`);
    const ownedSource = source(OWNED);
    const before = await publishedFiles(path.join(stack.dataDir, stack.bucket));
    stack.spotify.options.faults = [
      { endpoint: 'playlist', pathIncludes: SAMPLE_PLAYLIST_IDS.weeklyPicks, malformed: true },
    ];
    const result = await stack.runAsUser(token, { snapshotDate: NEXT, sources: SOURCES });
    expect([result.status, result.error]).toEqual(['FAILED', 'SourcesFailed']);
    expect(result.cause).toContain(OWNED);
    const after = await publishedFiles(result.bucketDir);
    expect(Object.keys(after)).toEqual(
      expect.arrayContaining([keys.topTracksCsv(NEXT, source('me:top-tracks:short_term'))]),
    );
    expect(after[keys.topTracksCsv(NEXT, ownedSource)]).toBeUndefined();
    expect(after[keys.topTracksCsv(DAY, ownedSource)]).toBe(before[keys.topTracksCsv(DAY, ownedSource)]);
    expect(after[keys.latestTopTracksCsv(ownedSource)]).toBe(before[keys.latestTopTracksCsv(ownedSource)]);
    expect(manifestOf(result).sources.map((entry) => [entry.source, entry.status])).toEqual([
      ['me:top-tracks:short_term', 'succeeded'],
      ['me:recently-played', 'succeeded'],
      [OWNED, 'failed'],
    ]);
  });
});

describe('an extended-quota app', () => {
  it('still gets the Top 50 with every column: popularity, genres and audio features', async () => {
    const stack = await startLocalStack({
      mode: 'extended_quota',
      snapshotDate: DAY,
      now: at(`${DAY}T06:00:00Z`),
    });
    try {
      const result = await stack.run({ snapshotDate: DAY, sources: [TOP_50_GLOBAL_PLAYLIST_ID] });
      expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
      const { rows } = readCsv(result.fileOf(keys.topTracksCsv(DAY, source(CHART))));
      expect(rows).toHaveLength(50);
      for (const row of rows) {
        expect(row.popularity).toMatch(/^\d+$/);
        expect(Number(row.danceability)).toBeGreaterThan(0);
        expect(row.artist_genres).not.toBe('');
        expect(row).toMatchObject({
          source: CHART,
          playlist_id: TOP_50_GLOBAL_PLAYLIST_ID,
          playlist_name: 'Top 50 - Global',
        });
      }
      // token, playlist (first page embedded), /tracks pages as needed, one artists and one audio-features batch
      expect(stack.spotify.count('token')).toBe(1);
      expect(stack.spotify.count('artists')).toBe(1);
      expect(stack.spotify.count('audio_features')).toBe(1);
    } finally {
      await stack.close();
    }
  });
});

describe('an authorization five months old', () => {
  it('warns in every manifest, and on the alerts topic once a day, with the command to run', async () => {
    const stack = await startLocalStack({ snapshotDate: DAY, now: at(`${DAY}T06:00:00Z`) });
    try {
      const authorizedAt = new Date('2026-06-10T12:00:00Z');
      const token = stack.spotify.grantRefreshToken({ authorizedAt });
      const env = { SPOTIFY_AUTHORIZED_AT: authorizedAt.toISOString() };
      const first = await stack.runAsUser(token, { snapshotDate: DAY, sources: ['me:recently-played'], env });
      const second = await stack.runAsUser(token, {
        snapshotDate: DAY,
        sources: ['me:recently-played'],
        env,
      });
      for (const result of [first, second]) {
        expect(result.status).toBe('SUCCEEDED');
        const manifest: unknown = JSON.parse(readFileSync(result.fileOf(result.manifestKey), 'utf8'));
        expect(JSON.stringify(manifest)).toMatch(
          /authorization of 2026-06-10 expires around 2026-12-1\d.*npm run spotify:authorize/,
        );
      }
      expect(first.notifications.map((notification) => notification.state)).toEqual(['NotifyWarning']);
      expect(JSON.stringify(first.notifications[0]?.input)).toContain('npm run spotify:authorize');
      expect(second.notifications).toEqual([]);
    } finally {
      await stack.close();
    }
  });
});
