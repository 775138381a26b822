import { EnvCredentialsSource } from '../../functions/commons/clients/credentials';
import { WebApiCatalog } from '../../functions/commons/clients/spotify/catalog';
import { SpotifyHttpClient, type RetryPolicy } from '../../functions/commons/clients/spotify/http-client';
import { TOP_50_GLOBAL_PLAYLIST_ID } from '../../functions/commons/constants';
import { rejectionOf } from '../helpers/errors';
import { startSpotifyStandIn, type SpotifyStandIn } from '../spotify-stand-in/server';

/** The Spotify adapter on its own, against the stand-in over real HTTP, with recorded waits. */
describe('SpotifyHttpClient', () => {
  let spotify: SpotifyStandIn;
  let sleeps: number[];
  beforeEach(async () => {
    spotify = await startSpotifyStandIn();
    sleeps = [];
  });
  afterEach(() => spotify.close());

  function client(policy: Partial<RetryPolicy> = {}, remainingTimeMs = 300_000) {
    const http = new SpotifyHttpClient({
      apiUrl: spotify.url,
      accountsUrl: spotify.url,
      credentials: new EnvCredentialsSource({
        SPOTIFY_CLIENT_ID: spotify.options.clientId,
        SPOTIFY_CLIENT_SECRET: spotify.options.clientSecret,
      }),
      policy: {
        requestTimeoutMs: 2000,
        maxAttempts: 4,
        retryBaseMs: 100,
        maxRetryDelayMs: 250,
        maxRetryAfterSeconds: 60,
        ...policy,
      },
      remainingTimeMs: () => remainingTimeMs,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 1,
    });
    return { http, catalog: new WebApiCatalog(http) };
  }

  it('backs off exponentially, capped, between attempts on 5xx', async () => {
    spotify.options.faults.push({ endpoint: 'playlist', status: 502, times: 3 });
    const { catalog, http } = client();
    await catalog.fetchPlaylist(TOP_50_GLOBAL_PLAYLIST_ID);
    expect(sleeps).toEqual([100, 200, 250]);
    expect(http.stats).toMatchObject({ retries: 3, requests: 5 });
  });

  it('gets a fresh token once when the current one is rejected mid-run', async () => {
    spotify.options.faults.push({ endpoint: 'playlist', status: 401, times: 1 });
    const { catalog } = client();
    await catalog.fetchPlaylist(TOP_50_GLOBAL_PLAYLIST_ID);
    expect(spotify.count('token')).toBe(2);
  });

  it('waits out a Retry-After that fits, and hands one that does not fit back as SpotifyRateLimited', async () => {
    spotify.options.faults.push({ endpoint: 'playlist', status: 429, retryAfterSeconds: 7, times: 1 });
    await client().catalog.fetchPlaylist(TOP_50_GLOBAL_PLAYLIST_ID);
    expect(sleeps).toEqual([7000]);

    sleeps = [];
    spotify.options.faults.push({ endpoint: 'playlist', status: 429, retryAfterSeconds: 30, times: 1 });
    // 30 s does not fit in 20 s of remaining invocation time, even though it is under the 60 s cap.
    const error = await rejectionOf(client({}, 20_000).catalog.fetchPlaylist(TOP_50_GLOBAL_PLAYLIST_ID));
    expect(error.name).toBe('SpotifyRateLimited');
    expect(sleeps).toEqual([]);
  });

  it('keeps the configured server when following Spotify-hosted `next` links', async () => {
    const { http } = client();
    const page = await http.getJson(
      'playlist_items',
      `https://api.spotify.com/v1/playlists/${TOP_50_GLOBAL_PLAYLIST_ID}/tracks?offset=40&limit=10`,
      (await import('../../functions/commons/clients/spotify/schemas')).playlistItemsPageSchema,
    );
    expect(page.items).toHaveLength(10);
    expect(spotify.requests.at(-1)?.path).toBe(
      `/v1/playlists/${TOP_50_GLOBAL_PLAYLIST_ID}/tracks?offset=40&limit=10`,
    );
  });
});
