import { gzipSync } from 'node:zlib';
import {
  EnvCredentialsSource,
  type CredentialsSource,
  type SpotifyCredentials,
} from '../../functions/commons/clients/credentials';
import { WebApiCatalog } from '../../functions/commons/clients/spotify/catalog';
import { SpotifyHttpClient, type RetryPolicy } from '../../functions/commons/clients/spotify/http-client';
import {
  playlistItemsPageSchema,
  topTracksPageSchema,
} from '../../functions/commons/clients/spotify/schemas';
import { TOP_50_GLOBAL_PLAYLIST_ID } from '../../functions/commons/domain/sources';
import { rejectionOf } from '../helpers/errors';
import { SAMPLE_PLAYLIST_IDS } from '../spotify-stand-in/playlists';
import { startSpotifyStandIn, type SpotifyStandIn, type StandInOptions } from '../spotify-stand-in/server';
import { startTinyServer, type TinyServer } from './faults-support';

/** The Spotify adapter on its own, against the stand-in (or a tiny server) over real HTTP, with recorded waits. */

/** A refresh token kept in memory, as SSM or the token file would keep it; `fresh` reads see `latest`. */
class MemoryCredentials implements CredentialsSource {
  readonly saved: string[] = [];
  /** What a cached (warm-container) read still returns until a fresh read. */
  cachedToken: string;
  constructor(
    readonly clientId: string,
    public latest: string,
    private readonly failSaving = false,
  ) {
    this.cachedToken = latest;
  }
  load(options: { fresh?: boolean } = {}): Promise<SpotifyCredentials> {
    if (options.fresh) this.cachedToken = this.latest;
    return Promise.resolve({ mode: 'user_token', clientId: this.clientId, refreshToken: this.cachedToken });
  }
  describe(): string {
    return 'the test token store';
  }
  saveRefreshToken(refreshToken: string): Promise<void> {
    if (this.failSaving) {
      const error = new Error('not allowed');
      error.name = 'AccessDeniedException';
      return Promise.reject(error);
    }
    this.saved.push(refreshToken);
    this.latest = refreshToken;
    this.cachedToken = refreshToken;
    return Promise.resolve();
  }
  warnings(): Promise<string[]> {
    return Promise.resolve([]);
  }
}

describe('SpotifyHttpClient', () => {
  let spotify: SpotifyStandIn;
  let sleeps: number[];
  const tiny: TinyServer[] = [];

  async function standIn(options: Partial<StandInOptions> = {}) {
    spotify = await startSpotifyStandIn({ mode: 'extended_quota', ...options });
    return spotify;
  }
  async function tinyServer(...args: Parameters<typeof startTinyServer>) {
    const server = await startTinyServer(...args);
    tiny.push(server);
    return server;
  }
  beforeEach(() => {
    sleeps = [];
  });
  afterEach(async () => {
    await spotify.close();
    await Promise.all(tiny.splice(0).map((server) => server.close()));
  });

  function client(
    options: {
      policy?: Partial<RetryPolicy>;
      remainingTimeMs?: number;
      credentials?: CredentialsSource;
      apiUrl?: string;
      accountsUrl?: string;
    } = {},
  ) {
    const http = new SpotifyHttpClient({
      apiUrl: options.apiUrl ?? spotify.url,
      accountsUrl: options.accountsUrl ?? spotify.url,
      credentials:
        options.credentials ??
        new EnvCredentialsSource({
          SPOTIFY_CLIENT_ID: spotify.options.clientId,
          SPOTIFY_CLIENT_SECRET: spotify.options.clientSecret,
        }),
      policy: {
        requestTimeoutMs: 2000,
        maxAttempts: 4,
        retryBaseMs: 100,
        maxRetryDelayMs: 250,
        maxRetryAfterSeconds: 60,
        ...options.policy,
      },
      remainingTimeMs: () => options.remainingTimeMs ?? 300_000,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 1,
    });
    return { http, catalog: new WebApiCatalog(http) };
  }

  describe('retries', () => {
    it('backs off exponentially, capped, between attempts on 5xx', async () => {
      await standIn();
      spotify.options.faults.push({ endpoint: 'playlist', status: 502, times: 3 });
      const { catalog, http } = client();
      await catalog.fetchPlaylist(TOP_50_GLOBAL_PLAYLIST_ID);
      expect(sleeps).toEqual([100, 200, 250]);
      expect(http.stats).toMatchObject({ retries: 3, requests: 5, byEndpoint: { token: 1, playlist: 4 } });
    });

    it('retries a request that times out, and says so when none answers in time', async () => {
      await standIn();
      spotify.options.faults.push({ endpoint: 'playlist', delayMs: 500, times: 1 });
      const { catalog, http } = client({ policy: { requestTimeoutMs: 200 } });
      await catalog.fetchPlaylist(TOP_50_GLOBAL_PLAYLIST_ID);
      expect(http.stats).toMatchObject({ retries: 1 });
      expect(sleeps).toEqual([100]);

      spotify.options.faults.push({ endpoint: 'playlist', delayMs: 500 });
      const error = await rejectionOf(
        client({ policy: { requestTimeoutMs: 200, maxAttempts: 2 } }).catalog.fetchPlaylist(
          TOP_50_GLOBAL_PLAYLIST_ID,
        ),
      );
      expect(error.name).toBe('SpotifyUnavailable');
      expect(error.message).toContain('after 2 attempts (last: no answer within 200 ms)');
    });

    it('never waits past the invocation: the timeout shrinks to the time left', async () => {
      await standIn();
      spotify.options.faults.push({ endpoint: 'playlist', delayMs: 500 });
      // 5.3 s left, 5 s of them kept as margin: each attempt may take 300 ms, not the 2 s configured.
      const error = await rejectionOf(
        client({ remainingTimeMs: 5_300, policy: { maxAttempts: 2 } }).catalog.fetchPlaylist(
          TOP_50_GLOBAL_PLAYLIST_ID,
        ),
      );
      expect(error.message).toContain('no answer within 300 ms');
    });

    it('an HTML 503 from the token endpoint: SpotifyUnavailable after the retries, not an auth error', async () => {
      await standIn();
      spotify.options.faults.push({ endpoint: 'token', status: 503, html: true });
      const error = await rejectionOf(client().catalog.fetchPlaylist(TOP_50_GLOBAL_PLAYLIST_ID));
      expect(error.name).toBe('SpotifyUnavailable');
      expect(error.message).toContain('token successfully after 4 attempts (last: HTTP 503)');
      expect(sleeps).toEqual([100, 200, 250]);
      expect(spotify.count('token')).toBe(4);
      expect(spotify.count('playlist')).toBe(0);
    });
  });

  describe('tokens', () => {
    it('gets a fresh token once when the current one is rejected mid-run, and gives up on a second 401', async () => {
      await standIn();
      spotify.options.faults.push({ endpoint: 'playlist', status: 401, times: 1 });
      const { catalog } = client();
      await catalog.fetchPlaylist(TOP_50_GLOBAL_PLAYLIST_ID);
      expect(spotify.count('token')).toBe(2);

      spotify.options.faults.push({ endpoint: 'playlist', status: 401, times: 2 });
      const error = await rejectionOf(client().catalog.fetchPlaylist(TOP_50_GLOBAL_PLAYLIST_ID));
      expect(error.name).toBe('SpotifyAuthError');
      expect(error.message).toContain('rejected a freshly issued access token');
    });

    it('stores a rotated refresh token before using it, and nothing when the server does not rotate', async () => {
      await standIn({ rotateRefreshTokens: true });
      const credentials = new MemoryCredentials(spotify.options.clientId, spotify.grantRefreshToken());
      const { catalog, http } = client({ credentials });
      await catalog.fetchTopTracks('short_term');
      expect(credentials.saved).toHaveLength(1);
      expect(spotify.issuedTokens.has(credentials.latest)).toBe(true);
      expect(http.stats).toMatchObject({ authMode: 'user_token', refreshTokenRotated: true });

      spotify.options.rotateRefreshTokens = false;
      const steady = new MemoryCredentials(spotify.options.clientId, spotify.grantRefreshToken());
      const second = client({ credentials: steady });
      await second.catalog.fetchTopTracks('short_term');
      expect(steady.saved).toEqual([]);
      expect(second.http.stats.refreshTokenRotated).toBeUndefined();
    });

    it('fails SpotifyAuthError, naming the store, when a rotated token cannot be stored', async () => {
      await standIn({ rotateRefreshTokens: true });
      const credentials = new MemoryCredentials(spotify.options.clientId, spotify.grantRefreshToken(), true);
      const error = await rejectionOf(client({ credentials }).catalog.fetchTopTracks('short_term'));
      expect(error.name).toBe('SpotifyAuthError');
      expect(error.message).toContain('storing it in the test token store failed (AccessDeniedException)');
      expect(error.message).toContain('npm run spotify:authorize');
      expect(spotify.count('top_tracks')).toBe(0);
    });

    it('a token another invocation just rotated away: looks again and uses the one it stored', async () => {
      await standIn({ rotateRefreshTokens: true });
      const original = spotify.grantRefreshToken();
      const credentials = new MemoryCredentials(spotify.options.clientId, original);
      // Another invocation refreshes first, revoking `original`, and stores the new token.
      const other = new MemoryCredentials(spotify.options.clientId, original);
      await client({ credentials: other }).catalog.fetchTopTracks('short_term');
      credentials.latest = other.latest;
      spotify.resetCounts();

      const { catalog } = client({ credentials });
      await expect(catalog.fetchTopTracks('short_term')).resolves.toMatchObject({ total: 50 });
      expect(sleeps).toEqual([200]);
      expect(spotify.requests.map((request) => [request.endpoint, request.status])).toEqual([
        ['token', 400],
        ['token', 200],
        ['top_tracks', 200],
      ]);
      expect(credentials.saved).toHaveLength(1);
    });

    it('a revoked token nobody replaced: SpotifyAuthError after a few looks, saying it was revoked', async () => {
      await standIn({ rotateRefreshTokens: true });
      const original = spotify.grantRefreshToken();
      await client({
        credentials: new MemoryCredentials(spotify.options.clientId, original),
      }).catalog.fetchTopTracks('short_term');
      const error = await rejectionOf(
        client({
          credentials: new MemoryCredentials(spotify.options.clientId, original),
        }).catalog.fetchTopTracks('short_term'),
      );
      expect(error.name).toBe('SpotifyAuthError');
      expect(error.message).toContain('Refresh token revoked');
      expect(error.message).toContain('npm run spotify:authorize');
      expect(sleeps).toEqual([200, 400, 600]);
      expect(error.message).not.toContain(original);
    });

    it('sources refreshing the same token at once in one container share one refresh', async () => {
      await standIn({ rotateRefreshTokens: true });
      const token = spotify.grantRefreshToken();
      const stores = [0, 1].map(() => new MemoryCredentials(spotify.options.clientId, token));
      const pages = await Promise.all(
        stores.map((credentials) => client({ credentials }).catalog.fetchTopTracks('short_term')),
      );
      expect(pages.map((page) => page.items.length)).toEqual([50, 50]);
      expect(spotify.count('token')).toBe(1);
    });
  });

  describe('rate limits', () => {
    it('waits out a Retry-After that fits, and hands one that does not fit back as SpotifyRateLimited', async () => {
      await standIn();
      spotify.options.faults.push({ endpoint: 'playlist', status: 429, retryAfterSeconds: 7, times: 1 });
      await client().catalog.fetchPlaylist(TOP_50_GLOBAL_PLAYLIST_ID);
      expect(sleeps).toEqual([7000]);

      sleeps = [];
      spotify.options.faults.push({ endpoint: 'playlist', status: 429, retryAfterSeconds: 30, times: 1 });
      // 30 s does not fit in 20 s of remaining invocation time, even though it is under the 60 s cap.
      const error = await rejectionOf(
        client({ remainingTimeMs: 20_000 }).catalog.fetchPlaylist(TOP_50_GLOBAL_PLAYLIST_ID),
      );
      expect(error.name).toBe('SpotifyRateLimited');
      expect(sleeps).toEqual([]);

      spotify.options.faults.push({ endpoint: 'playlist', status: 429, retryAfterSeconds: 61, times: 1 });
      const overCap = await rejectionOf(client().catalog.fetchPlaylist(TOP_50_GLOBAL_PLAYLIST_ID));
      expect(overCap.message).toContain('Retry-After 61 s), longer than this invocation may wait (cap 60 s)');
    });

    it('QUOTA_EXCEEDED is not waited out or retried', async () => {
      await standIn();
      spotify.options.faults.push({ endpoint: 'playlist', quotaExceeded: true });
      const error = await rejectionOf(client().catalog.fetchPlaylist(TOP_50_GLOBAL_PLAYLIST_ID));
      expect(error.name).toBe('SpotifyQuotaExceeded');
      expect(sleeps).toEqual([]);
      expect(spotify.count('playlist')).toBe(1);
    });
  });

  describe('redirects are answers, never followed', () => {
    it('a 307 from the token endpoint: InvalidSpotifyPayload, and the refresh token never reaches the other host', async () => {
      await standIn();
      const elsewhere = await tinyServer();
      const accounts = await tinyServer(() => ({
        status: 307,
        headers: { location: `${elsewhere.url}/api/token?code=secret-code` },
      }));
      const refreshToken = spotify.grantRefreshToken();
      const credentials = new MemoryCredentials(spotify.options.clientId, refreshToken);
      const error = await rejectionOf(
        client({ credentials, accountsUrl: accounts.url }).catalog.fetchTopTracks('short_term'),
      );
      expect(error.name).toBe('InvalidSpotifyPayload');
      expect(error.message).toContain(
        `token endpoint answered HTTP 307 (a redirect to ${elsewhere.url}/api/token)`,
      );
      expect(error.message).not.toContain('secret-code');
      expect(elsewhere.requests).toEqual([]);
      expect(accounts.requests.map((request) => request.body)).toEqual([
        expect.stringContaining(refreshToken),
      ]);
      expect(sleeps).toEqual([]);
    });

    it('a 302 from the Web API: the access token never reaches the other host', async () => {
      await standIn();
      const elsewhere = await tinyServer();
      const api = await tinyServer(() => ({ status: 302, headers: { location: `${elsewhere.url}/v1/me` } }));
      const error = await rejectionOf(
        client({ apiUrl: api.url }).catalog.fetchPlaylist(TOP_50_GLOBAL_PLAYLIST_ID),
      );
      expect(error.name).toBe('InvalidSpotifyPayload');
      expect(error.message).toContain('playlist endpoint answered HTTP 302');
      expect(error.message).toContain('SPOTIFY_API_URL');
      expect(api.requests[0]?.headers.authorization).toMatch(/^Bearer BQ/);
      expect(elsewhere.requests).toEqual([]);
    });
  });

  describe('bodies and links', () => {
    it('reads a gzip-compressed answer, as Spotify sends them', async () => {
      await standIn();
      const body = { items: [], next: null, total: 0 };
      const api = await tinyServer(() => ({
        status: 200,
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzipSync(JSON.stringify(body)),
      }));
      const { http } = client({ apiUrl: api.url });
      await expect(
        http.getJson('playlist_items', '/v1/playlists/x/items', playlistItemsPageSchema),
      ).resolves.toEqual(body);
      expect(api.requests[0]?.headers['accept-encoding']).toContain('gzip');
    });

    it('reads an answer that is not valid UTF-8 with U+FFFD in place of the bad bytes, and counts it', async () => {
      await standIn();
      const api = await tinyServer(() => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat([
          Buffer.from('{"items": [], "next": null, "total": 0, "href": "'),
          Buffer.from([0xc3, 0x28]),
          Buffer.from('"}'),
        ]),
      }));
      const { http } = client({ apiUrl: api.url });
      const page = await http.getJson('playlist_items', '/v1/playlists/x/items', playlistItemsPageSchema);
      expect(page).toMatchObject({ href: '\ufffd(' });
      expect(http.stats.invalidUtf8Answers).toBe(1);
      await http.getJson('playlist_items', '/v1/playlists/x/items', playlistItemsPageSchema);
      expect(http.stats.invalidUtf8Answers).toBe(2);
    });

    it('keeps the configured server when following Spotify-hosted `next` links', async () => {
      await standIn();
      const { http } = client();
      const page = await http.getJson(
        'playlist_items',
        `https://api.spotify.com/v1/playlists/${TOP_50_GLOBAL_PLAYLIST_ID}/tracks?offset=40&limit=10`,
        playlistItemsPageSchema,
      );
      expect(page.items).toHaveLength(10);
      expect(spotify.requests.at(-1)?.path).toBe(
        `/v1/playlists/${TOP_50_GLOBAL_PLAYLIST_ID}/tracks?offset=40&limit=10`,
      );
    });

    it('keeps a base path of the configured server (a proxy under /spotify) for paths and `next` links', async () => {
      await standIn();
      const proxy = await tinyServer((request) => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items: [], next: null, total: 0, seen: request.url }),
      }));
      const { http } = client({ apiUrl: `${proxy.url}/spotify` });
      await http.getJson('top_tracks', '/v1/me/top/tracks?limit=50', topTracksPageSchema);
      await http.getJson(
        'top_tracks',
        `${proxy.url}/spotify/v1/me/top/tracks?offset=50`,
        topTracksPageSchema,
      );
      expect(proxy.requests.map((request) => request.url)).toEqual([
        '/spotify/v1/me/top/tracks?limit=50',
        '/spotify/v1/me/top/tracks?offset=50',
      ]);
    });

    it('falls back to /tracks when a playlist embeds no entries and /items is unknown, and remembers it', async () => {
      // A server from before /items existed: the playlist object carries only a `{ href, total }` summary.
      await standIn();
      for (const id of [SAMPLE_PLAYLIST_IDS.global, SAMPLE_PLAYLIST_IDS.japan]) {
        spotify.options.faults.push({
          endpoint: 'playlist',
          pathIncludes: id,
          body: {
            id,
            name: `Playlist ${id}`,
            tracks: { href: `${spotify.url}/v1/playlists/${id}/tracks`, total: 50 },
          },
        });
      }
      spotify.options.faults.push({ endpoint: 'playlist_items', pathIncludes: '/items', status: 404 });
      const { catalog } = client();
      const first = await catalog.fetchPlaylist(SAMPLE_PLAYLIST_IDS.global);
      const second = await catalog.fetchPlaylist(SAMPLE_PLAYLIST_IDS.japan);
      expect([first.itemsPath, second.itemsPath]).toEqual(['tracks', 'tracks']);
      expect(second.itemPages[0]?.items).toHaveLength(50);
      expect(
        spotify.requests
          .filter((request) => request.endpoint === 'playlist_items')
          .map((request) => [request.path.split('?')[0]?.split('/').pop(), request.status]),
      ).toEqual([
        ['items', 404],
        ['tracks', 200],
        ['tracks', 200],
      ]);
    });
  });
});
