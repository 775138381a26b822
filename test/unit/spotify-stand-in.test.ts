import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_USER_SCOPES } from '../spotify-stand-in/accounts';
import { playlistWithOddEntries, SAMPLE_PLAYLIST_IDS, sizedPlaylist } from '../spotify-stand-in/playlists';
import { DEFAULT_USER_ID, sampleTrack, SAMPLE_ARTISTS, SAMPLE_TRACKS } from '../spotify-stand-in/sample-data';
import {
  DEFAULT_REDIRECT_URI,
  startSpotifyStandIn,
  type SpotifyStandIn,
  type StandInOptions,
} from '../spotify-stand-in/server';

/**
 * The stand-in over real HTTP: each rule of a late-2026 development-mode app (the default) and of
 * extended quota mode, with the JSON shapes of Spotify's OpenAPI definition (strict schemas below:
 * a field Spotify no longer sends fails them).
 */

// ---- shapes (Spotify OpenAPI definition 2026.5.31) --------------------------------------------------

const errorSchema = z.strictObject({ error: z.strictObject({ status: z.number(), message: z.string() }) });
const oauthErrorSchema = z.strictObject({ error: z.string(), error_description: z.string() });
const tokenSchema = z.strictObject({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.literal(3600),
  scope: z.string().optional(),
  refresh_token: z.string().optional(),
});
const image = z.strictObject({
  url: z.string(),
  height: z.number().nullable(),
  width: z.number().nullable(),
});
const externalUrls = z.strictObject({ spotify: z.string() });
const simplifiedArtist = z.strictObject({
  external_urls: externalUrls,
  href: z.string(),
  id: z.string(),
  name: z.string(),
  type: z.literal('artist'),
  uri: z.string(),
});
const albumFields = {
  album_type: z.enum(['album', 'single', 'compilation']),
  artists: z.array(simplifiedArtist),
  external_urls: externalUrls,
  href: z.string(),
  id: z.string(),
  images: z.array(image),
  name: z.string(),
  release_date: z.string(),
  release_date_precision: z.enum(['year', 'month', 'day']),
  total_tracks: z.number(),
  type: z.literal('album'),
  uri: z.string(),
};
const trackFields = {
  artists: z.array(simplifiedArtist),
  disc_number: z.number(),
  duration_ms: z.number(),
  explicit: z.boolean(),
  external_ids: z.strictObject({ isrc: z.string() }),
  external_urls: externalUrls,
  href: z.string(),
  id: z.string(),
  is_local: z.literal(false),
  is_playable: z.boolean().optional(),
  restrictions: z.strictObject({ reason: z.string() }).optional(),
  name: z.string(),
  preview_url: z.null(),
  track_number: z.number(),
  type: z.literal('track'),
  uri: z.string(),
};
/** A development-mode TrackObject: no popularity, available_markets or linked_from. */
const devTrack = z.strictObject({ ...trackFields, album: z.strictObject(albumFields) });
/** An extended-quota TrackObject: the deprecated fields are there. */
const extendedTrack = z.strictObject({
  ...trackFields,
  album: z.strictObject({ ...albumFields, available_markets: z.array(z.string()) }),
  available_markets: z.array(z.string()),
  popularity: z.number(),
});
const playlistUser = z.strictObject({
  external_urls: externalUrls,
  href: z.string(),
  id: z.string(),
  type: z.literal('user'),
  uri: z.string(),
});
const owner = playlistUser.extend({ display_name: z.string().nullable() });
const entryFields = {
  added_at: z.string().nullable(),
  added_by: playlistUser.nullable(),
  is_local: z.boolean(),
};
const paging = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    href: z.string(),
    items: z.array(item),
    limit: z.number(),
    next: z.string().nullable(),
    offset: z.number(),
    previous: z.string().nullable(),
    total: z.number(),
  });
const devEntry = z.strictObject({ ...entryFields, item: devTrack });
/** Any entry under `item` (tracks, episodes, local files, null). */
const anyItemEntry = z.strictObject({ ...entryFields, item: z.record(z.string(), z.unknown()).nullable() });
const playlistMetadata = {
  collaborative: z.boolean(),
  description: z.string().nullable(),
  external_urls: externalUrls,
  followers: z.strictObject({ href: z.null(), total: z.number() }),
  href: z.string(),
  id: z.string(),
  images: z.array(image),
  name: z.string(),
  owner,
  public: z.boolean(),
  snapshot_id: z.string(),
  type: z.literal('playlist'),
  uri: z.string(),
};
const devPlaylistWithoutItems = z.strictObject(playlistMetadata);
const devPlaylistWithItems = z.strictObject({ ...playlistMetadata, items: paging(devEntry) });
const extendedPlaylist = z.strictObject({
  ...playlistMetadata,
  items: paging(z.strictObject({ ...entryFields, item: extendedTrack })),
  tracks: paging(z.strictObject({ ...entryFields, track: extendedTrack })),
});
const tracksRef = z.strictObject({ href: z.string(), total: z.number() });
const simplifiedPlaylist = z.strictObject({
  collaborative: z.boolean(),
  description: z.string().nullable(),
  external_urls: externalUrls,
  href: z.string(),
  id: z.string(),
  images: z.array(image),
  name: z.string(),
  owner,
  public: z.boolean(),
  snapshot_id: z.string(),
  type: z.literal('playlist'),
  uri: z.string(),
  items: tracksRef,
  tracks: tracksRef.optional(),
});
const context = z.strictObject({
  type: z.string(),
  uri: z.string(),
  href: z.string(),
  external_urls: externalUrls,
});
const playHistory = z.strictObject({
  track: devTrack,
  played_at: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
  context: context.nullable(),
});
const recentlyPlayed = z.strictObject({
  items: z.array(playHistory),
  next: z.string().nullable(),
  cursors: z.strictObject({ after: z.string(), before: z.string() }).nullable(),
  limit: z.number(),
  href: z.string(),
});
const devMe = z.strictObject({
  account_id: z.string(),
  display_name: z.string().nullable(),
  external_urls: externalUrls,
  href: z.string(),
  id: z.string(),
  images: z.array(image),
  type: z.literal('user'),
  uri: z.string(),
});
const fullArtist = simplifiedArtist.extend({
  followers: z.strictObject({ href: z.null(), total: z.number() }),
  genres: z.array(z.string()),
  images: z.array(image),
  popularity: z.number(),
});

// ---- helpers ------------------------------------------------------------------------------------------

const START = new Date('2026-12-01T12:00:00.000Z');
let clock = START;
const advance = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};
const HOUR = 3_600_000;

let standIn: SpotifyStandIn;
async function start(overrides: Partial<StandInOptions> = {}) {
  standIn = await startSpotifyStandIn({ now: () => clock, snapshotDate: '2026-12-01', ...overrides });
  return standIn;
}
afterEach(async () => {
  await standIn.close();
  clock = START;
});

interface Answer {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
}

/** The parsed body, or `undefined` when it is not JSON (an HTML page, a truncated body). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${standIn.url}${path}`, { redirect: 'manual', ...init });
  const text = await response.text();
  return { status: response.status, body: parseJson(text), text, headers: response.headers };
}

const get = (path: string, token?: string) =>
  call(path, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

function postToken(form: Record<string, string>, authorization?: string) {
  return call('/api/token', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization ? { authorization } : {}),
    },
    body: new URLSearchParams(form).toString(),
  });
}

async function clientToken(): Promise<string> {
  const answer = await postToken(
    { grant_type: 'client_credentials' },
    basic(standIn.options.clientId, standIn.options.clientSecret),
  );
  return tokenSchema.parse(answer.body).access_token;
}

const refresh = (refreshToken: string) =>
  postToken({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: standIn.options.clientId,
  });

async function userToken(grant?: { scopes?: string[]; authorizedAt?: Date }): Promise<string> {
  const answer = await refresh(standIn.grantRefreshToken(grant));
  return tokenSchema.parse(answer.body).access_token;
}

const errorOf = (answer: Answer) => errorSchema.parse(answer.body).error;

function pkcePair() {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(parameters: Record<string, string>) {
  return `/authorize?${new URLSearchParams({
    client_id: standIn.options.clientId,
    response_type: 'code',
    redirect_uri: DEFAULT_REDIRECT_URI,
    state: 'xyz',
    ...parameters,
  }).toString()}`;
}

const NOT_FOUND = { error: { status: 404, message: 'Resource not found' } };
const ids = SAMPLE_PLAYLIST_IDS;

// ---- development mode (the default) -------------------------------------------------------------------

describe('development mode (default): playlists', () => {
  it('is the default mode', async () => {
    await start();
    expect(standIn.options.mode).toBe('development');
  });

  it('answers 404 for an editorial playlist and its items, with any token', async () => {
    await start();
    for (const token of [await clientToken(), await userToken()]) {
      for (const path of ['', '/items', '/tracks']) {
        const answer = await get(`/v1/playlists/${ids.global}${path}`, token);
        expect([path, answer.status, answer.body]).toEqual([path, 404, NOT_FOUND]);
      }
    }
    expect(standIn.count('playlist')).toBe(2);
    expect(standIn.count('playlist_items')).toBe(4);
  });

  it('answers 403 on the legacy /tracks path, even for the user’s own playlist', async () => {
    await start();
    const answer = await get(`/v1/playlists/${ids.weeklyPicks}/tracks`, await userToken());
    expect(answer.status).toBe(403);
    expect(errorOf(answer).status).toBe(403);
  });

  it('gives a client-credentials token metadata without items, and 403 on /items', async () => {
    await start();
    const token = await clientToken();
    const playlist = await get(`/v1/playlists/${ids.weeklyPicks}`, token);
    expect(playlist.status).toBe(200);
    const metadata = devPlaylistWithoutItems.parse(playlist.body);
    expect(metadata).not.toHaveProperty('items');
    expect(metadata).not.toHaveProperty('tracks');
    expect(metadata.owner.id).toBe(DEFAULT_USER_ID);
    expect((await get(`/v1/playlists/${ids.weeklyPicks}/items`, token)).status).toBe(403);
  });

  it('embeds the first page under `items` for a playlist the user owns or collaborates on', async () => {
    await start();
    const token = await userToken();
    for (const id of [ids.weeklyPicks, ids.roadTrip, ids.drafts]) {
      const playlist = devPlaylistWithItems.parse((await get(`/v1/playlists/${id}`, token)).body);
      expect(playlist).not.toHaveProperty('tracks');
      expect(playlist.items.items.length).toBeGreaterThan(0);
      const entry = playlist.items.items[0];
      expect(entry).not.toHaveProperty('track');
      expect(entry?.added_by?.type).toBe('user');
      expect(entry?.is_local).toBe(false);
      expect(playlist.items.href).toContain(`/v1/playlists/${id}/items`);
    }
    const collab = devPlaylistWithItems.parse((await get(`/v1/playlists/${ids.roadTrip}`, token)).body);
    expect(collab.collaborative).toBe(true);
    expect(new Set(collab.items.items.map((entry) => entry.added_by?.id))).toEqual(
      new Set(['mara.listens', DEFAULT_USER_ID]),
    );
  });

  it('gives metadata only for someone else’s public playlist, and 403 on its /items', async () => {
    await start();
    const token = await userToken();
    const playlist = devPlaylistWithoutItems.parse((await get(`/v1/playlists/${ids.lateNight}`, token)).body);
    expect(playlist.owner.id).toBe('mara.listens');
    expect(playlist.public).toBe(true);
    const items = await get(`/v1/playlists/${ids.lateNight}/items`, token);
    expect(items.status).toBe(403);
    expect(errorOf(items).status).toBe(403);
  });

  it('treats a playlist as the user’s own by its owner, or by collaborators', async () => {
    await start();
    standIn.options.playlists.set('notMine', sizedPlaylist('notMine', 5, { owner: 'someone-else' }));
    standIn.options.playlists.set(
      'sharedWithMe',
      sizedPlaylist('sharedWithMe', 5, {
        owner: 'someone-else',
        collaborative: true,
        public: false,
        collaborators: [DEFAULT_USER_ID],
      }),
    );
    const token = await userToken();
    expect((await get('/v1/playlists/notMine/items', token)).status).toBe(403);
    expect((await get('/v1/playlists/sharedWithMe/items', token)).status).toBe(200);
  });

  it('pages /items with limit (default 20, max 50) and offset', async () => {
    await start();
    standIn.options.playlists.set('long', sizedPlaylist('long', 130));
    const token = await userToken();
    const first = paging(devEntry).parse((await get('/v1/playlists/long/items', token)).body);
    expect([first.limit, first.offset, first.total, first.items.length]).toEqual([20, 0, 130, 20]);
    expect(first.previous).toBeNull();
    expect(first.next).toBe(`${standIn.url}/v1/playlists/long/items?offset=20&limit=20`);
    const last = paging(devEntry).parse(
      (await get('/v1/playlists/long/items?offset=100&limit=50', token)).body,
    );
    expect([last.items.length, last.next]).toEqual([30, null]);
    expect(last.previous).toBe(`${standIn.url}/v1/playlists/long/items?offset=50&limit=50`);
    for (const limit of ['0', '51', 'ten']) {
      const answer = await get(`/v1/playlists/long/items?limit=${limit}`, token);
      expect([limit, answer.status]).toEqual([limit, 400]);
    }
    expect((await get('/v1/playlists/long/items?offset=-1', token)).status).toBe(400);
    const embedded = devPlaylistWithItems.parse((await get('/v1/playlists/long', token)).body);
    expect([embedded.items.limit, embedded.items.items.length]).toEqual([50, 50]);
    expect(embedded.items.next).toBe(`${standIn.url}/v1/playlists/long/items?offset=50&limit=50`);
  });

  it('needs playlist-read-private for a private playlist and playlist-read-collaborative for a shared one', async () => {
    await start();
    const token = await userToken({ scopes: ['user-top-read'] });
    const drafts = await get(`/v1/playlists/${ids.drafts}/items`, token);
    expect([drafts.status, errorOf(drafts).message]).toEqual([403, 'Insufficient client scope']);
    const road = await get(`/v1/playlists/${ids.roadTrip}/items`, token);
    expect([road.status, errorOf(road).message]).toEqual([403, 'Insufficient client scope']);
    expect((await get(`/v1/playlists/${ids.weeklyPicks}/items`, token)).status).toBe(200);
  });

  it('renders tracks without popularity, available_markets or linked_from, keeping external_ids', async () => {
    await start();
    const page = paging(devEntry).parse(
      (await get(`/v1/playlists/${ids.weeklyPicks}/items?limit=50`, await userToken())).body,
    );
    for (const entry of page.items) {
      expect(entry.item).not.toHaveProperty('popularity');
      expect(entry.item).not.toHaveProperty('available_markets');
      expect(entry.item).not.toHaveProperty('linked_from');
      expect(entry.item.album).not.toHaveProperty('label');
      expect(entry.item.album).not.toHaveProperty('available_markets');
      expect(entry.item.external_ids.isrc).toMatch(/^QZ/);
      expect(entry.item.is_playable).toBe(true);
    }
  });

  it('renders removed tracks, local files, episodes and market-restricted tracks', async () => {
    await start();
    standIn.options.playlists.set('odd', playlistWithOddEntries('odd', '2026-12-01'));
    const page = paging(anyItemEntry).parse(
      (await get('/v1/playlists/odd/items?limit=50', await userToken())).body,
    );
    const at = (position: number) => page.items[position - 1];
    expect(at(3)?.item).toBeNull();
    expect(at(6)?.is_local).toBe(true);
    expect(z.object({ uri: z.string() }).parse(at(6)?.item).uri).toMatch(/^spotify:local:/);
    expect(at(6)?.item).toMatchObject({ href: null, album: { id: null }, is_local: true, type: 'track' });
    expect(at(10)?.item).toMatchObject({ type: 'episode', show: { type: 'show' } });
    expect(at(10)?.item).not.toHaveProperty('show.publisher');
    expect(at(13)?.item).toMatchObject({ is_playable: false, restrictions: { reason: 'market' } });
    expect(at(21)?.item).toEqual(at(1)?.item);
  });

  it('refuses several artists (403) and audio features (403 with no message)', async () => {
    await start();
    const token = await clientToken();
    const artists = await get(`/v1/artists?ids=${SAMPLE_ARTISTS[0]?.id ?? ''}`, token);
    expect(artists.status).toBe(403);
    expect(errorOf(artists).status).toBe(403);
    const features = await get(`/v1/audio-features?ids=${SAMPLE_TRACKS[0]?.id ?? ''}`, token);
    expect([features.status, features.body]).toEqual([403, { error: { status: 403 } }]);
    standIn.options.audioFeaturesForbiddenMessage = 'Forbidden';
    expect((await get('/v1/audio-features?ids=x', token)).body).toEqual({
      error: { status: 403, message: 'Forbidden' },
    });
  });
});

describe('development mode: the current user', () => {
  it('returns the stand-in user for a user token only', async () => {
    await start();
    const me = devMe.parse((await get('/v1/me', await userToken())).body);
    expect(me).toMatchObject({ id: DEFAULT_USER_ID, type: 'user', uri: `spotify:user:${DEFAULT_USER_ID}` });
    expect(me.display_name).toBe('Stand-in Listener');
    // February 2026: development mode no longer returns product, country, email, followers.
    const withPrivate = devMe.parse(
      (await get('/v1/me', await userToken({ scopes: ['user-read-private'] }))).body,
    );
    expect(withPrivate).not.toHaveProperty('product');
    const client = await get('/v1/me', await clientToken());
    expect([client.status, errorOf(client).status]).toEqual([401, 401]);
  });

  it('lists the user’s owned, collaborative and followed playlists as simplified playlists', async () => {
    await start();
    const page = paging(simplifiedPlaylist).parse((await get('/v1/me/playlists', await userToken())).body);
    expect(page.items.map((playlist) => playlist.id)).toEqual([
      ids.global,
      ids.weeklyPicks,
      ids.drafts,
      ids.roadTrip,
      ids.lateNight,
    ]);
    const picks = page.items.find((playlist) => playlist.id === ids.weeklyPicks);
    expect(picks?.items).toEqual({ href: `${standIn.url}/v1/playlists/${ids.weeklyPicks}/items`, total: 30 });
    expect(picks).not.toHaveProperty('tracks');
    expect([page.limit, page.offset, page.total]).toEqual([20, 0, 5]);
    const publicOnly = paging(simplifiedPlaylist).parse(
      (await get('/v1/me/playlists', await userToken({ scopes: [] }))).body,
    );
    expect(publicOnly.items.map((playlist) => playlist.id)).toEqual([
      ids.global,
      ids.weeklyPicks,
      ids.lateNight,
    ]);
    expect((await get('/v1/me/playlists?limit=51', await userToken())).status).toBe(400);
    expect((await get('/v1/me/playlists', await clientToken())).status).toBe(401);
  });
});

describe('development mode: top tracks', () => {
  it('needs user-top-read', async () => {
    await start();
    for (const token of [await userToken({ scopes: ['user-read-recently-played'] }), await clientToken()]) {
      const answer = await get('/v1/me/top/tracks', token);
      expect([answer.status, answer.body]).toEqual([
        403,
        { error: { status: 403, message: 'Insufficient client scope' } },
      ]);
    }
  });

  it('pages full tracks per time range, 50 in all, with limit 1..50 and a valid time_range', async () => {
    await start();
    const token = await userToken();
    const medium = paging(devTrack).parse((await get('/v1/me/top/tracks', token)).body);
    expect([medium.limit, medium.offset, medium.total, medium.items.length]).toEqual([20, 0, 50, 20]);
    expect(medium.href).toContain('time_range=medium_term');
    const lists = new Map<string, string[]>();
    for (const range of ['short_term', 'medium_term', 'long_term']) {
      const page = paging(devTrack).parse(
        (await get(`/v1/me/top/tracks?time_range=${range}&limit=50`, token)).body,
      );
      expect([range, page.items.length, page.next]).toEqual([range, 50, null]);
      lists.set(
        range,
        page.items.map((track) => track.id),
      );
    }
    expect(lists.get('short_term')).not.toEqual(lists.get('medium_term'));
    expect(lists.get('medium_term')).not.toEqual(lists.get('long_term'));
    const second = paging(devTrack).parse((await get('/v1/me/top/tracks?limit=10&offset=10', token)).body);
    expect(second.items.map((track) => track.id)).toEqual(lists.get('medium_term')?.slice(10, 20));
    for (const query of ['limit=0', 'limit=51', 'time_range=all_time', 'time_range=']) {
      expect([query, (await get(`/v1/me/top/tracks?${query}`, token)).status]).toEqual([query, 400]);
    }
  });

  it('moves ranks with the snapshot date and takes its list sizes from the options', async () => {
    await start({ topTrackCounts: { short_term: 7, medium_term: 50, long_term: 50 } });
    const token = await userToken();
    const idsOn = async () =>
      paging(devTrack)
        .parse((await get('/v1/me/top/tracks?time_range=short_term&limit=50', token)).body)
        .items.map((track) => track.id);
    const first = await idsOn();
    expect(first).toHaveLength(7);
    standIn.options.snapshotDate = '2026-12-09';
    const later = await idsOn();
    expect(later).toHaveLength(7);
    expect(later).not.toEqual(first);
    standIn.options.snapshotDate = '2026-12-01';
    expect(await idsOn()).toEqual(first);
  });
});

describe('development mode: recently played', () => {
  const history = (query = '', token?: string) => get(`/v1/me/player/recently-played${query}`, token);

  it('needs user-read-recently-played and validates limit, after and before', async () => {
    await start();
    const without = await history('', await userToken({ scopes: ['user-top-read'] }));
    expect([without.status, errorOf(without).message]).toEqual([403, 'Insufficient client scope']);
    const token = await userToken();
    for (const query of ['?limit=0', '?limit=51', '?after=1&before=2', '?after=yesterday']) {
      expect([query, (await history(query, token)).status]).toEqual([query, 400]);
    }
  });

  it('returns the newest plays first with ISO played_at, context, cursors and next', async () => {
    await start();
    const page = recentlyPlayed.parse((await history('', await userToken())).body);
    expect(page.limit).toBe(20);
    expect(page.items).toHaveLength(20);
    const times = page.items.map((play) => Date.parse(play.played_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(times[0]).toBeLessThanOrEqual(clock.getTime());
    expect(page.cursors).toEqual({ after: String(times[0]), before: String(times[times.length - 1]) });
    expect(page.next).toBe(
      `${standIn.url}/v1/me/player/recently-played?before=${page.cursors?.before ?? ''}&limit=20`,
    );
    expect(page.href).toBe(`${standIn.url}/v1/me/player/recently-played?limit=20`);
    expect(page.items.some((play) => play.context === null)).toBe(true);
    expect(page.items.map((play) => play.context?.type)).toEqual(
      expect.arrayContaining(['playlist', 'album', 'artist']),
    );
    expect(page.items.some((play) => !play.played_at.endsWith('.000Z'))).toBe(true);
  });

  it('keeps only the last 50 plays', async () => {
    await start();
    const token = await userToken();
    let next: string | null = '/v1/me/player/recently-played?limit=50';
    const seen: string[] = [];
    while (next !== null) {
      const page = recentlyPlayed.parse((await get(next.replace(standIn.url, ''), token)).body);
      seen.push(...page.items.map((play) => play.played_at));
      next = page.next;
    }
    expect(seen).toHaveLength(50);
    const older = recentlyPlayed.parse((await history(`?before=${Date.parse(seen[49] ?? '')}`, token)).body);
    expect([older.items.length, older.cursors, older.next]).toEqual([0, null, null]);
    const sinceLongAgo = recentlyPlayed.parse((await history('?after=0&limit=50', token)).body);
    expect(sinceLongAgo.items).toHaveLength(50);
  });

  it('answers plays strictly after `after` and strictly before `before`', async () => {
    await start();
    const token = await userToken();
    const page = recentlyPlayed.parse((await history('?limit=5', token)).body);
    const [newest, second, third] = page.items.map((play) => Date.parse(play.played_at));
    const after = recentlyPlayed.parse((await history(`?after=${second ?? 0}`, token)).body);
    expect(after.items.map((play) => Date.parse(play.played_at))).toEqual([newest]);
    expect(after.href).toContain(`after=${second ?? 0}`);
    const before = recentlyPlayed.parse((await history(`?before=${second ?? 0}&limit=1`, token)).body);
    expect(before.items.map((play) => Date.parse(play.played_at))).toEqual([third]);
    const none = recentlyPlayed.parse((await history(`?after=${newest ?? 0}`, token)).body);
    expect([none.items, none.cursors, none.next]).toEqual([[], null, null]);
  });

  it('follows the clock: later runs see new plays, and plays a test appends', async () => {
    await start();
    const firstRun = recentlyPlayed.parse((await history('?limit=50', await userToken())).body);
    const cursor = firstRun.cursors?.after ?? '';
    advance(HOUR);
    // The access token from the first run has expired by now; a new run refreshes.
    const token = await userToken();
    const overlap = recentlyPlayed.parse((await history(`?after=${cursor}&limit=50`, token)).body);
    expect(overlap.items).toHaveLength(15); // one play every 4 minutes
    expect(Date.parse(overlap.items[14]?.played_at ?? '')).toBeGreaterThan(Number(cursor));
    standIn.options.listening.extraPlays.push({
      track: sampleTrack(3),
      playedAt: new Date(clock.getTime() - 1),
      context: null,
    });
    const withAppended = recentlyPlayed.parse((await history('?limit=1', token)).body);
    expect(withAppended.items[0]).toMatchObject({
      played_at: new Date(clock.getTime() - 1).toISOString(),
      context: null,
    });
    expect(withAppended.items[0]?.track.id).toBe(sampleTrack(3).id);
    // Six hours later, 90 plays have happened: the oldest unseen ones are gone.
    advance(6 * HOUR);
    const gap = recentlyPlayed.parse((await history(`?after=${cursor}&limit=50`, await userToken())).body);
    expect(gap.items).toHaveLength(50);
  });

  it('has no plays when the generated history is off and none were added', async () => {
    await start();
    standIn.options.listening.everyMinutes = 0;
    const page = recentlyPlayed.parse((await history('', await userToken())).body);
    expect([page.items, page.cursors, page.next]).toEqual([[], null, null]);
  });
});

describe('development mode: accounts service', () => {
  it('issues client-credentials tokens with Basic auth only', async () => {
    await start();
    const ok = await postToken(
      { grant_type: 'client_credentials' },
      basic(standIn.options.clientId, standIn.options.clientSecret),
    );
    const token = tokenSchema.parse(ok.body);
    expect(token).not.toHaveProperty('refresh_token');
    expect(standIn.issuedTokens.has(token.access_token)).toBe(true);
    const noSecret = await postToken({
      grant_type: 'client_credentials',
      client_id: standIn.options.clientId,
    });
    expect([noSecret.status, oauthErrorSchema.parse(noSecret.body).error]).toEqual([400, 'invalid_client']);
    const wrong = await postToken(
      { grant_type: 'client_credentials' },
      basic(standIn.options.clientId, 'nope'),
    );
    expect(oauthErrorSchema.parse(wrong.body)).toEqual({
      error: 'invalid_client',
      error_description: 'Invalid client secret',
    });
    const unknownGrant = await postToken(
      { grant_type: 'password' },
      basic(standIn.options.clientId, standIn.options.clientSecret),
    );
    expect(oauthErrorSchema.parse(unknownGrant.body).error).toBe('unsupported_grant_type');
  });

  it('runs Authorization Code with PKCE, remembering the scopes in the code and the refresh token', async () => {
    await start();
    const { verifier, challenge } = pkcePair();
    const answer = await get(
      authorizeUrl({
        code_challenge_method: 'S256',
        code_challenge: challenge,
        scope: 'user-top-read playlist-read-private',
      }),
    );
    expect(answer.status).toBe(302);
    const location = new URL(answer.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(DEFAULT_REDIRECT_URI);
    expect(location.searchParams.get('state')).toBe('xyz');
    const code = location.searchParams.get('code') ?? '';
    expect(code).not.toBe('');
    const exchange = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: DEFAULT_REDIRECT_URI,
      client_id: standIn.options.clientId,
    };

    const wrongVerifier = await postToken({ ...exchange, code_verifier: 'not-the-verifier' });
    expect(oauthErrorSchema.parse(wrongVerifier.body).error).toBe('invalid_grant');

    // A failed exchange used the code up; authorize again.
    const again = new URL(
      (
        await get(
          authorizeUrl({
            code_challenge_method: 'S256',
            code_challenge: challenge,
            scope: 'user-top-read playlist-read-private',
          }),
        )
      ).headers.get('location') ?? '',
    );
    const tokens = tokenSchema.parse(
      (await postToken({ ...exchange, code: again.searchParams.get('code') ?? '', code_verifier: verifier }))
        .body,
    );
    expect(tokens.scope).toBe('user-top-read playlist-read-private');
    expect(tokens.refresh_token).toMatch(/^AQ/);
    const reuse = await postToken({
      ...exchange,
      code: again.searchParams.get('code') ?? '',
      code_verifier: verifier,
    });
    expect(oauthErrorSchema.parse(reuse.body).error).toBe('invalid_grant');

    const refreshed = tokenSchema.parse((await refresh(tokens.refresh_token ?? '')).body);
    expect(refreshed.scope).toBe('user-top-read playlist-read-private');
    expect((await get('/v1/me/top/tracks', refreshed.access_token)).status).toBe(200);
    expect((await get('/v1/me/player/recently-played', refreshed.access_token)).status).toBe(403);
  });

  it('refreshes without rotation by default: no new refresh token, the old one keeps working', async () => {
    await start();
    const refreshToken = standIn.grantRefreshToken();
    for (let run = 0; run < 3; run += 1) {
      const answer = tokenSchema.parse((await refresh(refreshToken)).body);
      expect(answer).not.toHaveProperty('refresh_token');
      expect(answer.scope).toBe(DEFAULT_USER_SCOPES.join(' '));
    }
  });

  it('rotates refresh tokens when told: the old one is revoked', async () => {
    await start({ rotateRefreshTokens: true });
    const first = standIn.grantRefreshToken();
    const answer = tokenSchema.parse((await refresh(first)).body);
    expect(answer.refresh_token).toMatch(/^AQ/);
    expect(answer.refresh_token).not.toBe(first);
    const reuse = await refresh(first);
    expect([reuse.status, reuse.body]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'Refresh token revoked' },
    ]);
    expect((await refresh(answer.refresh_token ?? '')).status).toBe(200);
  });

  it('expires refresh tokens six months after the authorization, however often they were refreshed', async () => {
    await start({ rotateRefreshTokens: true });
    let token = standIn.grantRefreshToken({ authorizedAt: new Date('2026-06-02T12:00:00.000Z') });
    for (let month = 0; month < 3; month += 1) {
      token = tokenSchema.parse((await refresh(token)).body).refresh_token ?? '';
    }
    clock = new Date('2026-12-02T12:00:00.000Z');
    const expired = await refresh(token);
    expect([expired.status, expired.body]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'Refresh token expired' },
    ]);
    const old = await refresh(
      standIn.grantRefreshToken({ authorizedAt: new Date('2026-05-01T00:00:00.000Z') }),
    );
    expect(oauthErrorSchema.parse(old.body).error_description).toBe('Refresh token expired');
    const unknown = await refresh('AQnot-a-token');
    expect(unknown.body).toEqual({ error: 'invalid_grant', error_description: 'Invalid refresh token' });
  });

  it('expires access tokens after an hour', async () => {
    await start();
    const token = await userToken();
    advance(HOUR);
    const answer = await get('/v1/me', token);
    expect([answer.status, errorOf(answer).message]).toEqual([401, 'The access token expired']);
  });

  it('refuses localhost and unregistered redirect URIs with an error page, accepting registered loopback IPs', async () => {
    await start({
      registeredRedirectUris: [
        DEFAULT_REDIRECT_URI,
        'http://[::1]:8888/callback',
        'http://localhost:8888/callback',
      ],
    });
    const { challenge } = pkcePair();
    const pkce = { code_challenge_method: 'S256', code_challenge: challenge };
    for (const redirectUri of [
      'http://localhost:8888/callback',
      'http://127.0.0.1:9999/callback',
      'https://example.com/cb',
    ]) {
      const answer = await get(authorizeUrl({ ...pkce, redirect_uri: redirectUri }));
      expect([redirectUri, answer.status, answer.headers.get('location')]).toEqual([redirectUri, 400, null]);
      expect(answer.headers.get('content-type')).toContain('text/html');
      expect(answer.text).toContain('INVALID_CLIENT: Invalid redirect URI');
    }
    const ipv6 = await get(authorizeUrl({ ...pkce, redirect_uri: 'http://[::1]:8888/callback' }));
    expect(ipv6.status).toBe(302);
    expect(ipv6.headers.get('location')).toMatch(/^http:\/\/\[::1\]:8888\/callback\?code=/);
    const wrongClient = await get(authorizeUrl({ ...pkce, client_id: 'someone-else' }));
    expect([wrongClient.status, wrongClient.text.includes('INVALID_CLIENT: Invalid client')]).toEqual([
      400,
      true,
    ]);
  });

  it('redirects errors back once the redirect URI is valid (denied, bad scope)', async () => {
    await start({ authorizeDecision: 'deny' });
    const denied = new URL(
      (await get(authorizeUrl({ scope: 'user-top-read' }))).headers.get('location') ?? '',
    );
    expect([denied.searchParams.get('error'), denied.searchParams.get('state')]).toEqual([
      'access_denied',
      'xyz',
    ]);
    standIn.options.authorizeDecision = 'approve';
    const badScope = new URL(
      (await get(authorizeUrl({ scope: 'read-everything' }))).headers.get('location') ?? '',
    );
    expect(badScope.searchParams.get('error')).toBe('invalid_scope');
    expect(standIn.count('authorize')).toBe(2);
  });
});

describe('development mode: app owner, quota, faults and errors', () => {
  it('answers 403 everywhere when the app owner has no Premium', async () => {
    await start({ ownerHasPremium: false });
    const token = await userToken();
    for (const path of [
      '/v1/me',
      `/v1/playlists/${ids.weeklyPicks}`,
      '/v1/me/top/tracks',
      '/v1/me/player/recently-played',
    ]) {
      expect([path, (await get(path, token)).body]).toEqual([
        path,
        { error: { status: 403, message: 'Active premium subscription required for the owner of the app' } },
      ]);
    }
  });

  it('tells a quota 429 (reason QUOTA_EXCEEDED, Retry-After) from a plain rate-limit 429', async () => {
    await start();
    const token = await userToken();
    standIn.options.faults.push({
      endpoint: 'top_tracks',
      quotaExceeded: true,
      retryAfterSeconds: 7200,
      times: 1,
    });
    const quota = await get('/v1/me/top/tracks', token);
    expect([quota.status, quota.headers.get('retry-after')]).toEqual([429, '7200']);
    expect(quota.body).toEqual({
      error: { status: 429, message: 'Quota exceeded for this developer account', reason: 'QUOTA_EXCEEDED' },
    });
    standIn.options.faults.push({ endpoint: 'top_tracks', status: 429, retryAfterSeconds: 3, times: 1 });
    const rate = await get('/v1/me/top/tracks', token);
    expect([rate.status, rate.headers.get('retry-after')]).toEqual([429, '3']);
    expect(errorSchema.parse(rate.body).error).not.toHaveProperty('reason');
    expect((await get('/v1/me/top/tracks', token)).status).toBe(200);
    expect(
      standIn.requests.filter((record) => record.endpoint === 'top_tracks').map((record) => record.status),
    ).toEqual([429, 429, 200]);
  });

  it('answers HTML 502/503/504 pages on any endpoint, the token endpoint included', async () => {
    await start();
    const token = await userToken();
    standIn.options.faults.push(
      { endpoint: 'token', html: true, status: 503, times: 1 },
      { endpoint: 'playlist', html: true, times: 1 },
      { endpoint: 'any', html: true, status: 504, times: 1 },
    );
    const tokenAnswer = await refresh(standIn.grantRefreshToken());
    const playlist = await get(`/v1/playlists/${ids.weeklyPicks}`, token);
    const me = await get('/v1/me', token);
    for (const [answer, status] of [
      [tokenAnswer, 503],
      [playlist, 502],
      [me, 504],
    ] as const) {
      expect(answer.status).toBe(status);
      expect(answer.headers.get('content-type')).toContain('text/html');
      expect(answer.body).toBeUndefined();
      expect(answer.text).toMatch(/^<!DOCTYPE html>/);
    }
  });

  it('keeps the older faults: status, delay, malformed and replacement bodies, message-less errors', async () => {
    await start();
    const token = await userToken();
    standIn.options.faults.push({
      endpoint: 'playlist',
      pathIncludes: ids.weeklyPicks,
      status: 500,
      times: 1,
    });
    expect((await get(`/v1/playlists/${ids.weeklyPicks}`, token)).status).toBe(500);
    standIn.options.faults.push({ endpoint: 'me', malformed: true, times: 1 });
    const malformed = await get('/v1/me', token);
    expect([malformed.status, malformed.body]).toEqual([200, undefined]);
    standIn.options.faults.push({ endpoint: 'me', body: { unexpected: true }, times: 1 });
    expect((await get('/v1/me', token)).body).toEqual({ unexpected: true });
    standIn.options.faults.push({ endpoint: 'me', status: 502, omitMessage: true, times: 1 });
    expect((await get('/v1/me', token)).body).toEqual({ error: { status: 502 } });
    standIn.options.faults.push({ endpoint: 'me', delayMs: 150, times: 1 });
    const started = Date.now();
    expect((await get('/v1/me', token)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('answers unknown paths 404 Service not found and a missing or invalid bearer 401', async () => {
    await start();
    const unknown = await get('/v1/browse/new-releases', await clientToken());
    expect([unknown.status, unknown.body]).toEqual([
      404,
      { error: { status: 404, message: 'Service not found' } },
    ]);
    const missing = await get('/v1/me');
    expect([missing.status, errorOf(missing).message]).toEqual([401, 'No token provided']);
    const invalid = await get('/v1/me', 'BQnot-issued');
    expect([invalid.status, errorOf(invalid).message]).toEqual([401, 'Invalid access token']);
    expect(standIn.count('unknown')).toBe(1);
    expect(standIn.count('me')).toBe(2);
    standIn.resetCounts();
    expect(standIn.count()).toBe(0);
  });

  it('points the pipeline at itself', async () => {
    await start();
    expect(standIn.target()).toEqual({
      apiUrl: standIn.url,
      accountsUrl: standIn.url,
      clientId: 'stand-in-client-id',
      clientSecret: 'stand-in-client-secret',
    });
  });
});

// ---- extended quota mode ------------------------------------------------------------------------------

describe('extended quota mode', () => {
  it('reads editorial playlists with a client-credentials token, embedding `tracks` and `items`', async () => {
    await start({ mode: 'extended_quota' });
    const token = await clientToken();
    const playlist = extendedPlaylist.parse((await get(`/v1/playlists/${ids.global}`, token)).body);
    expect(playlist.owner.id).toBe('spotify');
    expect([playlist.tracks.total, playlist.tracks.limit, playlist.tracks.items.length]).toEqual([
      50, 100, 50,
    ]);
    expect(playlist.tracks.items[0]?.track.popularity).toBeGreaterThan(0);
    expect(playlist.items.items[0]?.item.id).toBe(playlist.tracks.items[0]?.track.id);
    // No market with client credentials: no is_playable.
    expect(playlist.tracks.items[0]?.track).not.toHaveProperty('is_playable');
  });

  it('serves /items (entries under item) and legacy /tracks (entries under track, limit up to 100)', async () => {
    await start({ mode: 'extended_quota' });
    standIn.options.playlists.set('long', sizedPlaylist('long', 130, { owner: 'someone-else' }));
    const token = await clientToken();
    const tracks = paging(z.strictObject({ ...entryFields, track: extendedTrack })).parse(
      (await get('/v1/playlists/long/tracks?limit=100', token)).body,
    );
    expect([tracks.items.length, tracks.next]).toEqual([
      100,
      `${standIn.url}/v1/playlists/long/tracks?offset=100&limit=100`,
    ]);
    expect((await get('/v1/playlists/long/tracks?limit=101', token)).status).toBe(400);
    const items = paging(z.strictObject({ ...entryFields, item: extendedTrack })).parse(
      (await get(`/v1/playlists/${ids.lateNight}/items`, await userToken())).body,
    );
    expect(items.items[0]?.item.is_playable).toBe(true);
    expect((await get('/v1/playlists/long/items?limit=51', token)).status).toBe(400);
  });

  it('serves several artists (max 50) with genres, popularity and followers', async () => {
    await start({ mode: 'extended_quota' });
    const token = await clientToken();
    const first = SAMPLE_ARTISTS.slice(0, 50).map((artist) => artist.id);
    const answer = z
      .strictObject({ artists: z.array(fullArtist.nullable()) })
      .parse(
        (await get(`/v1/artists?ids=${[...first.slice(0, 2), 'unknownArtist000000000'].join(',')}`, token))
          .body,
      );
    expect(answer.artists[0]?.genres.length).toBeGreaterThan(0);
    expect(answer.artists[1]?.followers.total).toBeGreaterThanOrEqual(0);
    expect(answer.artists[2]).toBeNull();
    expect((await get(`/v1/artists?ids=${first.join(',')}`, token)).status).toBe(200);
    expect((await get(`/v1/artists?ids=${[...first, 'one-more'].join(',')}`, token)).status).toBe(400);
  });

  it('serves audio features (max 100)', async () => {
    await start({ mode: 'extended_quota' });
    const token = await clientToken();
    const trackIds = SAMPLE_TRACKS.slice(0, 3).map((track) => track.id);
    const answer = z
      .strictObject({
        audio_features: z.array(
          z.object({ id: z.string(), tempo: z.number(), type: z.literal('audio_features') }),
        ),
      })
      .parse((await get(`/v1/audio-features?ids=${trackIds.join(',')}`, token)).body);
    expect(answer.audio_features.map((features) => features.id)).toEqual(trackIds);
    const tooMany = Array.from({ length: 101 }, (_, index) => `id${index}`).join(',');
    expect((await get(`/v1/audio-features?ids=${tooMany}`, token)).status).toBe(400);
  });

  it('returns the user’s product with user-read-private, and ignores the owner’s subscription', async () => {
    await start({ mode: 'extended_quota', ownerHasPremium: false });
    const me = await get('/v1/me', await userToken({ scopes: ['user-read-private'] }));
    expect(me.body).toMatchObject({ id: DEFAULT_USER_ID, product: 'premium', type: 'user', country: 'DE' });
    const playlists = paging(simplifiedPlaylist).parse(
      (await get('/v1/me/playlists', await userToken())).body,
    );
    expect(playlists.items[0]?.tracks).toEqual({
      href: `${standIn.url}/v1/playlists/${ids.global}/tracks`,
      total: 50,
    });
  });
});
