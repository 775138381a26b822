import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAccounts, htmlPage, type AccessGrant } from './accounts';
import { samplePlaylists, type PlaylistFixture } from './playlists';
import {
  renderAudioFeatures,
  renderEntry,
  renderFullArtist,
  renderTrack,
  renderUser,
  type EntryField,
  type StandInMode,
} from './render';
import {
  artistById,
  DEFAULT_USER_ID,
  displayNameOf,
  latestPlays,
  topTracksFor,
  trackById,
  TIME_RANGES,
  type ListeningOptions,
  type PlayContextFixture,
  type SampleUser,
  type TimeRange,
} from './sample-data';

export { DEFAULT_USER_SCOPES } from './accounts';
export type { StandInMode } from './render';

/**
 * A loopback stand-in for the parts of Spotify's Web API and accounts service the pipeline uses,
 * with Spotify's status codes and JSON shapes (checked against Spotify's OpenAPI definition, 2026).
 *
 * Its default is what a Spotify app created in late 2026 gets: development mode. Editorial playlists
 * answer 404, `/playlists/{id}/tracks` 403, playlist contents only for playlists the user owns or
 * collaborates on, no several-artists or audio-features, no popularity. `mode: 'extended_quota'` is
 * the old, full API (organizations only since May 2025). Tests switch behaviour through `options`
 * (mutable) and `faults`, and read what it served from `requests`.
 */
export type StandInEndpoint =
  | 'token'
  | 'authorize'
  | 'me'
  | 'playlist'
  | 'playlist_items'
  | 'artists'
  | 'audio_features'
  | 'top_tracks'
  | 'recently_played'
  | 'my_playlists'
  | 'unknown';

export interface Fault {
  readonly endpoint: StandInEndpoint | 'any';
  /** Only requests whose path (with query) contains this text (e.g. a playlist id, `/tracks`). */
  readonly pathIncludes?: string;
  /** Answer with this status (Spotify's error shape for it). */
  readonly status?: number;
  /** Sent as `Retry-After` (a quota fault defaults to 3600). */
  readonly retryAfterSeconds?: number;
  /** Answer this much later (a slow server); combine with status or leave the normal answer. */
  readonly delayMs?: number;
  /** Answer 200 with a truncated, unparseable JSON body. */
  readonly malformed?: boolean;
  /** Answer 200 with this body instead (e.g. a payload of the wrong shape). */
  readonly body?: unknown;
  /**
   * Answer as usual, with the usual answer changed by this function first (e.g. one hostile name in
   * an otherwise ordinary page), so everything else stays exactly what the stand-in serves.
   */
  readonly edit?: (answer: unknown) => unknown;
  /**
   * 429 with `"reason": "QUOTA_EXCEEDED"` (the per-developer-account quota, July 2026) rather than a
   * plain rate limit; status defaults to 429.
   */
  readonly quotaExceeded?: boolean;
  /** An HTML page instead of JSON, as a CDN or load balancer answers; status defaults to 502. */
  readonly html?: boolean;
  /** Leave `message` out of the error object (`{"error":{"status":403}}`). */
  readonly omitMessage?: boolean;
  /** How many matching requests it affects; unlimited when absent. */
  times?: number;
}

export interface StandInOptions {
  /** `development` (default: a late-2026 app) or `extended_quota` (the full, legacy-shaped API). */
  mode: StandInMode;
  clientId: string;
  clientSecret: string;
  /** The date whose charts and top tracks the stand-in shows (ranks move between dates). */
  snapshotDate: string;
  /** The stand-in's clock: token expiry, authorization age, which plays have happened. */
  now: () => Date;
  playlists: Map<string, PlaylistFixture>;
  /** The user behind user tokens (owner of "My weekly picks"). */
  userId: string;
  userDisplayName: string | null;
  /** Issue a new refresh token on every refresh and revoke the old one; otherwise none is returned. */
  rotateRefreshTokens: boolean;
  /** Development mode needs the app owner on Premium (else every Web API call answers 403). */
  ownerHasPremium: boolean;
  /** Redirect URIs registered for the app (exact match; `localhost` is never accepted). */
  registeredRedirectUris: string[];
  /** What the user does on the consent screen. */
  authorizeDecision: 'approve' | 'deny';
  /** How many top tracks each time range has (Spotify: up to 50). */
  topTrackCounts: Record<TimeRange, number>;
  /** The user's listening history (GET /me/player/recently-played shows the last 50 plays). */
  listening: ListeningOptions;
  /** The message of the development-mode audio-features 403; `null` (default) leaves it out, as Spotify does. */
  audioFeaturesForbiddenMessage: string | null;
  faults: Fault[];
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly endpoint: StandInEndpoint;
  /** 0 until answered; stays 0 when the client went away first. */
  status: number;
}

export interface SpotifyStandIn {
  readonly url: string;
  readonly options: StandInOptions;
  readonly requests: RequestRecord[];
  count(endpoint?: StandInEndpoint): number;
  /** How the pipeline reaches this stand-in with its client credentials. */
  target(): { apiUrl: string; accountsUrl: string; clientId: string; clientSecret: string };
  /** Every access and refresh token it issued (to check none leaks into logs). */
  readonly issuedTokens: ReadonlySet<string>;
  /**
   * Registers a refresh token as if the user had authorized the app through PKCE (default scopes:
   * DEFAULT_USER_SCOPES; default authorizedAt: `now()`).
   */
  grantRefreshToken(grant?: { scopes?: string[]; authorizedAt?: Date }): string;
  resetCounts(): void;
  close(): Promise<void>;
}

export const STAND_IN_CLIENT_ID = 'stand-in-client-id';
export const STAND_IN_CLIENT_SECRET = 'stand-in-client-secret';
export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:8888/callback';

const OPEN = 'https://open.spotify.com';
const LIMITS = { tracks: { max: 100, default: 100 }, items: { max: 50, default: 20 } };
/** The first page a playlist object embeds. */
const EMBEDDED = { tracks: 100, items: 50 };
const RECENT_PLAYS_KEPT = 50;

function classify(method: string, path: string): StandInEndpoint {
  if (path === '/api/token') return method === 'POST' ? 'token' : 'unknown';
  if (path === '/authorize') return method === 'GET' ? 'authorize' : 'unknown';
  if (/^\/v1\/playlists\/[^/]+$/.test(path)) return 'playlist';
  if (/^\/v1\/playlists\/[^/]+\/(tracks|items)$/.test(path)) return 'playlist_items';
  if (path === '/v1/artists') return 'artists';
  if (path === '/v1/audio-features') return 'audio_features';
  if (path === '/v1/me') return 'me';
  if (path === '/v1/me/top/tracks') return 'top_tracks';
  if (path === '/v1/me/player/recently-played') return 'recently_played';
  if (path === '/v1/me/playlists') return 'my_playlists';
  return 'unknown';
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The stand-in user's listening when a test sets none: a play every 4 minutes from three days (on
 * the hour) before the stand-in started. The sample export (sample-export.ts) reports the same plays.
 */
export function standInListening(
  start: Date,
  userId = DEFAULT_USER_ID,
  playlists: ReadonlyMap<string, PlaylistFixture> = samplePlaylists(userId),
): ListeningOptions {
  const ownPlaylist = [...playlists.values()].find((playlist) => playlist.owner === userId);
  return {
    startAt: new Date(Math.floor(start.getTime() / 3_600_000) * 3_600_000 - 3 * 86_400_000),
    everyMinutes: 4,
    playlistContextId: ownPlaylist?.id ?? 'noPlaylist000000000000',
    extraPlays: [],
  };
}

function defaultOptions(overrides: Partial<StandInOptions>): StandInOptions {
  const now = overrides.now ?? (() => new Date());
  const userId = overrides.userId ?? DEFAULT_USER_ID;
  const start = now();
  const playlists = overrides.playlists ?? samplePlaylists(userId);
  return {
    mode: 'development',
    clientId: STAND_IN_CLIENT_ID,
    clientSecret: STAND_IN_CLIENT_SECRET,
    snapshotDate: start.toISOString().slice(0, 10),
    now,
    playlists,
    userId,
    userDisplayName: 'Stand-in Listener',
    rotateRefreshTokens: false,
    ownerHasPremium: true,
    registeredRedirectUris: [DEFAULT_REDIRECT_URI],
    authorizeDecision: 'approve',
    topTrackCounts: { short_term: 50, medium_term: 50, long_term: 50 },
    listening: standInListening(start, userId, playlists),
    audioFeaturesForbiddenMessage: null,
    faults: [],
    ...overrides,
  };
}

/** An integer query parameter within bounds, its default when absent, or `undefined` when invalid. */
function intParam(url: URL, name: string, fallback: number, min: number, max: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^-?\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
}

export async function startSpotifyStandIn(overrides: Partial<StandInOptions> = {}): Promise<SpotifyStandIn> {
  const options = defaultOptions(overrides);
  const requests: RequestRecord[] = [];
  const accounts = createAccounts(() => options);
  let base = '';

  /** The `edit` of the fault a request drew, applied to its successful JSON answer. */
  const edits = new WeakMap<ServerResponse, (answer: unknown) => unknown>();
  const send = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const edit = status === 200 && typeof body !== 'string' ? edits.get(response) : undefined;
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    response.end(typeof body === 'string' ? body : JSON.stringify(edit ? edit(body) : body));
  };
  /** Spotify's error object: `{"error":{"status","message"}}` (message left out when `null`). */
  const apiError = (
    response: ServerResponse,
    status: number,
    message: string | null,
    headers: Record<string, string> = {},
    extra: Record<string, string> = {},
  ) =>
    send(
      response,
      status,
      { error: { status, ...(message === null ? {} : { message }), ...extra } },
      headers,
    );

  const standInUser = (): SampleUser => ({ id: options.userId, displayName: options.userDisplayName });
  const userOf = (id: string): SampleUser => ({ id, displayName: displayNameOf(id, standInUser()) });
  const extended = () => options.mode === 'extended_quota';
  const hasScope = (grant: AccessGrant, scope: string) => grant.kind === 'user' && grant.scopes.has(scope);

  // ---- playlists ---------------------------------------------------------------------------------

  /** Whether this token may read the playlist's entries (development mode: owner or collaborator only). */
  function mayReadEntries(grant: AccessGrant, playlist: PlaylistFixture): 'yes' | 'forbidden' | 'scope' {
    if (extended()) return 'yes';
    if (grant.kind !== 'user') return 'forbidden';
    const owns = playlist.owner === options.userId;
    const collaborates = playlist.collaborative && (playlist.collaborators ?? []).includes(options.userId);
    if (!owns && !collaborates) return 'forbidden';
    if (owns && !playlist.public && !playlist.collaborative && !hasScope(grant, 'playlist-read-private')) {
      return 'scope';
    }
    if (!owns && !hasScope(grant, 'playlist-read-collaborative')) return 'scope';
    return 'yes';
  }

  function addedBy(playlist: PlaylistFixture, position: number): SampleUser {
    if (playlist.editorial) return userOf(playlist.owner);
    const editors = [playlist.owner, ...(playlist.collaborative ? (playlist.collaborators ?? []) : [])];
    return userOf(editors[position % editors.length] ?? playlist.owner);
  }

  function entriesPage(
    playlist: PlaylistFixture,
    grant: AccessGrant,
    field: EntryField,
    offset: number,
    limit: number,
  ) {
    const entries = playlist.entries(options.snapshotDate);
    const segment = field === 'item' ? 'items' : 'tracks';
    const href = (at: number) => `${base}/v1/playlists/${playlist.id}/${segment}?offset=${at}&limit=${limit}`;
    return {
      href: href(offset),
      items: entries.slice(offset, offset + limit).map((entry, index) =>
        renderEntry(base, entry, {
          mode: options.mode,
          field,
          market: grant.kind === 'user',
          addedAt: `${options.snapshotDate}T00:00:00Z`,
          addedBy: addedBy(playlist, offset + index),
        }),
      ),
      limit,
      next: offset + limit < entries.length ? href(offset + limit) : null,
      offset,
      previous: offset > 0 ? href(Math.max(0, offset - limit)) : null,
      total: entries.length,
    };
  }

  function playlistCommon(playlist: PlaylistFixture) {
    return {
      collaborative: playlist.collaborative,
      description: playlist.description ?? null,
      external_urls: { spotify: `${OPEN}/playlist/${playlist.id}` },
      href: `${base}/v1/playlists/${playlist.id}`,
      id: playlist.id,
      images: [{ url: `https://mosaic.scdn.co/640/${playlist.id}`, height: 640, width: 640 }],
      name: playlist.name,
      owner: renderUser(base, userOf(playlist.owner), true),
      public: playlist.public,
      snapshot_id: `snap-${playlist.id.slice(0, 6)}-${options.snapshotDate}`,
      type: 'playlist',
      uri: `spotify:playlist:${playlist.id}`,
    };
  }

  /** PlaylistObject: development mode embeds `items` only for readable playlists, and never `tracks`. */
  function playlistObject(playlist: PlaylistFixture, grant: AccessGrant) {
    const embedded = extended()
      ? {
          tracks: entriesPage(playlist, grant, 'track', 0, EMBEDDED.tracks),
          items: entriesPage(playlist, grant, 'item', 0, EMBEDDED.items),
        }
      : mayReadEntries(grant, playlist) === 'yes'
        ? { items: entriesPage(playlist, grant, 'item', 0, EMBEDDED.items) }
        : {};
    return {
      ...playlistCommon(playlist),
      followers: { href: null, total: playlist.followers ?? 0 },
      ...embedded,
    };
  }

  /** SimplifiedPlaylistObject (GET /me/playlists): `items` (and, in extended quota, `tracks`) as `{href,total}`. */
  function simplifiedPlaylist(playlist: PlaylistFixture) {
    const total = playlist.entries(options.snapshotDate).length;
    const ref = (segment: string) => ({ href: `${base}/v1/playlists/${playlist.id}/${segment}`, total });
    return {
      ...playlistCommon(playlist),
      items: ref('items'),
      ...(extended() ? { tracks: ref('tracks') } : {}),
    };
  }

  function playlistResource(
    url: URL,
    response: ServerResponse,
    grant: AccessGrant,
    endpoint: StandInEndpoint,
  ) {
    const [, , , id = '', segment] = url.pathname.split('/');
    const playlist = options.playlists.get(id);
    if (!playlist) return apiError(response, 404, 'Resource not found');
    // Spotify-owned editorial and algorithmic playlists do not exist for development-mode apps.
    if (playlist.editorial && !extended()) return apiError(response, 404, 'Resource not found');
    if (endpoint === 'playlist') return send(response, 200, playlistObject(playlist, grant));
    // Development mode replaced /tracks with /items (February 2026): the old path answers 403.
    if (segment === 'tracks' && !extended()) return apiError(response, 403, 'Forbidden');
    const access = mayReadEntries(grant, playlist);
    if (access === 'forbidden') return apiError(response, 403, 'Forbidden');
    if (access === 'scope') return apiError(response, 403, 'Insufficient client scope');
    const limits = LIMITS[segment === 'items' ? 'items' : 'tracks'];
    const limit = intParam(url, 'limit', limits.default, 1, limits.max);
    const offset = intParam(url, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    if (limit === undefined) return apiError(response, 400, 'Invalid limit');
    if (offset === undefined) return apiError(response, 400, 'Invalid offset');
    return send(
      response,
      200,
      entriesPage(playlist, grant, segment === 'items' ? 'item' : 'track', offset, limit),
    );
  }

  // ---- catalogue ---------------------------------------------------------------------------------

  function idsParam(url: URL, max: number): string[] | string {
    const ids = (url.searchParams.get('ids') ?? '').split(',').filter(Boolean);
    if (ids.length === 0) return 'invalid request';
    if (ids.length > max) return 'Too many ids requested';
    return ids;
  }

  function artists(url: URL, response: ServerResponse) {
    // Get Several Artists was removed for development-mode apps (February 2026).
    if (!extended()) return apiError(response, 403, 'Forbidden');
    const ids = idsParam(url, 50);
    if (typeof ids === 'string') return apiError(response, 400, ids);
    return send(response, 200, {
      artists: ids.map((id) => {
        const artist = artistById(id);
        return artist ? renderFullArtist(base, artist, options.mode) : null;
      }),
    });
  }

  function audioFeatures(url: URL, response: ServerResponse) {
    // New and development-mode apps lost audio features in November 2024; the 403 comes without a message.
    if (!extended()) return apiError(response, 403, options.audioFeaturesForbiddenMessage);
    const ids = idsParam(url, 100);
    if (typeof ids === 'string') return apiError(response, 400, ids);
    return send(response, 200, {
      audio_features: ids.map((id) => {
        const track = trackById(id);
        return track ? renderAudioFeatures(base, track) : null;
      }),
    });
  }

  // ---- the current user --------------------------------------------------------------------------

  const USER_REQUIRED = 'This request requires user authentication.';

  function me(response: ServerResponse, grant: AccessGrant) {
    if (grant.kind !== 'user') return apiError(response, 401, USER_REQUIRED);
    const user = standInUser();
    const privateFields = extended() && hasScope(grant, 'user-read-private');
    return send(response, 200, {
      account_id: `acct${Buffer.from(user.id).toString('hex').slice(0, 12)}`,
      ...(privateFields ? { country: 'DE' } : {}),
      display_name: user.displayName,
      ...(extended() && hasScope(grant, 'user-read-email') ? { email: `${user.id}@example.com` } : {}),
      ...(privateFields ? { explicit_content: { filter_enabled: false, filter_locked: false } } : {}),
      external_urls: { spotify: `${OPEN}/user/${user.id}` },
      ...(extended() ? { followers: { href: null, total: 12 } } : {}),
      href: `${base}/v1/users/${user.id}`,
      id: user.id,
      images: [],
      // Development mode dropped `product`, `country`, `email` (February 2026).
      ...(privateFields ? { product: 'premium' } : {}),
      type: 'user',
      uri: `spotify:user:${user.id}`,
    });
  }

  function topTracks(url: URL, response: ServerResponse, grant: AccessGrant) {
    if (!hasScope(grant, 'user-top-read')) return apiError(response, 403, 'Insufficient client scope');
    const range = url.searchParams.get('time_range') ?? 'medium_term';
    const timeRange = TIME_RANGES.find((candidate) => candidate === range);
    if (!timeRange) return apiError(response, 400, 'Invalid time range');
    const limit = intParam(url, 'limit', 20, 1, 50);
    const offset = intParam(url, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    if (limit === undefined) return apiError(response, 400, 'Invalid limit');
    if (offset === undefined) return apiError(response, 400, 'Invalid offset');
    const tracks = topTracksFor(timeRange, options.snapshotDate, options.topTrackCounts[timeRange]);
    const href = (at: number) =>
      `${base}/v1/me/top/tracks?time_range=${timeRange}&offset=${at}&limit=${limit}`;
    return send(response, 200, {
      href: href(offset),
      items: tracks
        .slice(offset, offset + limit)
        .map((track) => renderTrack(base, track, { mode: options.mode, market: true })),
      limit,
      next: offset + limit < tracks.length ? href(offset + limit) : null,
      offset,
      previous: offset > 0 ? href(Math.max(0, offset - limit)) : null,
      total: tracks.length,
    });
  }

  function context(play: PlayContextFixture | null) {
    if (!play) return null;
    return {
      type: play.type,
      uri: `spotify:${play.type}:${play.id}`,
      href: `${base}/v1/${play.type}s/${play.id}`,
      external_urls: { spotify: `${OPEN}/${play.type}/${play.id}` },
    };
  }

  function recentlyPlayed(url: URL, response: ServerResponse, grant: AccessGrant) {
    if (!hasScope(grant, 'user-read-recently-played')) {
      return apiError(response, 403, 'Insufficient client scope');
    }
    const limit = intParam(url, 'limit', 20, 1, 50);
    if (limit === undefined) return apiError(response, 400, 'Invalid limit');
    const after = intParam(url, 'after', -1, 0, Number.MAX_SAFE_INTEGER);
    const before = intParam(url, 'before', -1, 0, Number.MAX_SAFE_INTEGER);
    if (after === undefined) return apiError(response, 400, 'Invalid after');
    if (before === undefined) return apiError(response, 400, 'Invalid before');
    if (after >= 0 && before >= 0)
      return apiError(response, 400, 'Only one of after or before may be specified');
    // Only the newest 50 plays exist; anything older is gone for good.
    const kept = latestPlays(options.listening, options.now(), RECENT_PLAYS_KEPT);
    const matching = kept.filter(
      (play) =>
        (after < 0 || play.playedAt.getTime() > after) && (before < 0 || play.playedAt.getTime() < before),
    );
    const page = matching.slice(0, limit);
    const newest = page[0];
    const oldest = page[page.length - 1];
    const query = new URLSearchParams({ limit: String(limit) });
    if (after >= 0) query.set('after', String(after));
    if (before >= 0) query.set('before', String(before));
    return send(response, 200, {
      items: page.map((play) => ({
        track: renderTrack(base, play.track, { mode: options.mode, market: true }),
        played_at: play.playedAt.toISOString(),
        context: context(play.context),
      })),
      next:
        oldest && matching.length > page.length
          ? `${base}/v1/me/player/recently-played?before=${oldest.playedAt.getTime()}&limit=${limit}`
          : null,
      cursors:
        newest && oldest
          ? { after: String(newest.playedAt.getTime()), before: String(oldest.playedAt.getTime()) }
          : null,
      limit,
      href: `${base}/v1/me/player/recently-played?${query.toString()}`,
    });
  }

  function myPlaylists(url: URL, response: ServerResponse, grant: AccessGrant) {
    if (grant.kind !== 'user') return apiError(response, 401, USER_REQUIRED);
    const limit = intParam(url, 'limit', 20, 1, 50);
    const offset = intParam(url, 'offset', 0, 0, 100_000);
    if (limit === undefined) return apiError(response, 400, 'Invalid limit');
    if (offset === undefined) return apiError(response, 400, 'Invalid offset');
    const mine = [...options.playlists.values()].filter((playlist) => {
      const owns = playlist.owner === options.userId;
      const collaborates = playlist.collaborative && (playlist.collaborators ?? []).includes(options.userId);
      if (!owns && !collaborates && !playlist.followedByUser) return false;
      // Private playlists need playlist-read-private, collaborative ones playlist-read-collaborative.
      if (playlist.collaborative) return hasScope(grant, 'playlist-read-collaborative');
      if (!playlist.public) return owns && hasScope(grant, 'playlist-read-private');
      return true;
    });
    const href = (at: number) => `${base}/v1/me/playlists?offset=${at}&limit=${limit}`;
    return send(response, 200, {
      href: href(offset),
      items: mine.slice(offset, offset + limit).map(simplifiedPlaylist),
      limit,
      next: offset + limit < mine.length ? href(offset + limit) : null,
      offset,
      previous: offset > 0 ? href(Math.max(0, offset - limit)) : null,
      total: mine.length,
    });
  }

  // ---- faults and routing ------------------------------------------------------------------------

  function takeFault(endpoint: StandInEndpoint, path: string): Fault | undefined {
    const fault = options.faults.find(
      (candidate) =>
        (candidate.endpoint === 'any' || candidate.endpoint === endpoint) &&
        (candidate.pathIncludes === undefined || path.includes(candidate.pathIncludes)) &&
        (candidate.times === undefined || candidate.times > 0),
    );
    if (fault?.times !== undefined) fault.times -= 1;
    return fault;
  }

  /** Answers a fault's error; false when the fault only delays (or answers 200 with a body). */
  function answerFault(fault: Fault, endpoint: StandInEndpoint, response: ServerResponse): boolean {
    const status = fault.status ?? (fault.quotaExceeded ? 429 : fault.html ? 502 : undefined);
    if (status === undefined) {
      if (fault.malformed) send(response, 200, '{"items": [{"item": {"name": "cut off');
      else if (fault.body !== undefined) send(response, 200, fault.body);
      else return false;
      return true;
    }
    const retryAfter = fault.retryAfterSeconds ?? (fault.quotaExceeded ? 3600 : undefined);
    const headers: Record<string, string> =
      retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {};
    if (fault.html) {
      response.writeHead(status, { 'content-type': 'text/html', ...headers });
      response.end(htmlPage(`${status} Bad Gateway`, 'The server encountered a temporary error.'));
      return true;
    }
    if (endpoint === 'token' && status >= 400 && status < 500 && status !== 429) {
      send(
        response,
        status,
        { error: 'invalid_client', error_description: 'Invalid client secret' },
        headers,
      );
      return true;
    }
    if (endpoint === 'token' && status >= 500) {
      send(response, status, { error: 'server_error', error_description: 'Server error' }, headers);
      return true;
    }
    const message = fault.omitMessage
      ? null
      : fault.quotaExceeded
        ? 'Quota exceeded for this developer account'
        : status === 429
          ? 'API rate limit exceeded'
          : status >= 500
            ? 'Server error'
            : status === 401
              ? 'The access token expired'
              : status === 403
                ? 'Forbidden'
                : 'Bad request';
    apiError(response, status, message, headers, fault.quotaExceeded ? { reason: 'QUOTA_EXCEEDED' } : {});
    return true;
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', base);
    const method = request.method ?? 'GET';
    const endpoint = classify(method, url.pathname);
    const body = await readBody(request);
    // Counted on arrival: a request the client gave up on (timeout) still reached the server.
    const record: RequestRecord = { method, path: `${url.pathname}${url.search}`, endpoint, status: 0 };
    requests.push(record);
    response.on('finish', () => {
      record.status = response.statusCode;
    });

    const fault = takeFault(endpoint, record.path);
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (response.destroyed) return;
    if (fault && answerFault(fault, endpoint, response)) return;
    if (fault?.edit) edits.set(response, fault.edit);

    if (endpoint === 'token') return accounts.token(request, response, body);
    if (endpoint === 'authorize') return accounts.authorize(url, response);
    if (endpoint === 'unknown') return apiError(response, 404, 'Service not found');
    const access = accounts.checkBearer(request.headers.authorization);
    if (!access.ok) return apiError(response, access.status, access.message);
    if (!extended() && !options.ownerHasPremium) {
      return apiError(response, 403, 'Active premium subscription required for the owner of the app');
    }
    if (method !== 'GET') return apiError(response, 405, 'Method not allowed');
    const grant = access.grant;
    switch (endpoint) {
      case 'playlist':
      case 'playlist_items':
        return playlistResource(url, response, grant, endpoint);
      case 'artists':
        return artists(url, response);
      case 'audio_features':
        return audioFeatures(url, response);
      case 'me':
        return me(response, grant);
      case 'top_tracks':
        return topTracks(url, response, grant);
      case 'recently_played':
        return recentlyPlayed(url, response, grant);
      case 'my_playlists':
        return myPlaylists(url, response, grant);
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) apiError(response, 500, `Stand-in error: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    options,
    requests,
    issuedTokens: accounts.issuedTokens,
    target: () => ({
      apiUrl: base,
      accountsUrl: base,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
    }),
    count: (endpoint) =>
      endpoint ? requests.filter((record) => record.endpoint === endpoint).length : requests.length,
    resetCounts: () => void requests.splice(0, requests.length),
    grantRefreshToken: (grant) => accounts.grantRefreshToken(grant),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
