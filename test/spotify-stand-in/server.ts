import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { samplePlaylists, type PlaylistFixture } from './playlists';
import { renderAudioFeatures, renderEntry, renderFullArtist, type ApiShape } from './render';
import { artistById, trackById } from './sample-data';

/**
 * A loopback stand-in for the parts of Spotify's Web API and accounts service the pipeline uses,
 * with Spotify's status codes and JSON shapes. Tests switch its behaviour (API shape, faults) and
 * read how many requests it served.
 */
export type StandInEndpoint =
  'token' | 'authorize' | 'playlist' | 'playlist_items' | 'artists' | 'audio_features' | 'unknown';

export interface Fault {
  readonly endpoint: StandInEndpoint | 'any';
  /** Only requests whose path contains this text (e.g. a playlist id, `/tracks`). */
  readonly pathIncludes?: string;
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  /** Answer this much later (a slow server); combine with status or leave the normal answer. */
  readonly delayMs?: number;
  /** Answer 200 with a truncated, unparseable JSON body. */
  readonly malformed?: boolean;
  /** Answer 200 with this body instead (e.g. a payload of the wrong shape). */
  readonly body?: unknown;
  /** How many matching requests it affects; unlimited when absent. */
  times?: number;
}

export interface StandInOptions {
  clientId: string;
  clientSecret: string;
  apiShape: ApiShape;
  /** The date whose chart the sample playlists show (ranks move between dates). */
  snapshotDate: string;
  playlists: Map<string, PlaylistFixture>;
  /** Whether GET /v1/playlists/{id} embeds the first page of entries (Spotify does). */
  embedFirstPage: boolean;
  /** Several-artists and audio-features endpoints; refused for new and 2026 development-mode apps. */
  artistsAvailable: boolean;
  audioFeaturesAvailable: boolean;
  /** Issue a new refresh token on every refresh and revoke the old one (Spotify may do so). */
  rotateRefreshTokens: boolean;
  /** Playlists this app may not read (Nov 2024 / 2026 restrictions): 404 on legacy, 403 on 2026. */
  restrictedPlaylists: Set<string>;
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
  /** Registers a refresh token as if a user had authorized the app (user-token tests). */
  grantRefreshToken(): string;
  resetCounts(): void;
  close(): Promise<void>;
}

export const STAND_IN_CLIENT_ID = 'stand-in-client-id';
export const STAND_IN_CLIENT_SECRET = 'stand-in-client-secret';

const LIMITS = { tracks: { max: 100, default: 100 }, items: { max: 50, default: 20 } };

function classify(method: string, path: string): StandInEndpoint {
  if (method === 'POST' && path === '/api/token') return 'token';
  if (method === 'GET' && path === '/authorize') return 'authorize';
  if (/^\/v1\/playlists\/[^/]+$/.test(path)) return 'playlist';
  if (/^\/v1\/playlists\/[^/]+\/(tracks|items)$/.test(path)) return 'playlist_items';
  if (path === '/v1/artists') return 'artists';
  if (path === '/v1/audio-features') return 'audio_features';
  return 'unknown';
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const base64url = (buffer: Buffer) => buffer.toString('base64url');

export async function startSpotifyStandIn(overrides: Partial<StandInOptions> = {}): Promise<SpotifyStandIn> {
  const options: StandInOptions = {
    clientId: STAND_IN_CLIENT_ID,
    clientSecret: STAND_IN_CLIENT_SECRET,
    apiShape: 'legacy',
    snapshotDate: new Date().toISOString().slice(0, 10),
    playlists: samplePlaylists(),
    embedFirstPage: true,
    artistsAvailable: (overrides.apiShape ?? 'legacy') === 'legacy',
    audioFeaturesAvailable: (overrides.apiShape ?? 'legacy') === 'legacy',
    restrictedPlaylists: new Set(),
    rotateRefreshTokens: false,
    faults: [],
    ...overrides,
  };
  const requests: RequestRecord[] = [];
  const accessTokens = new Set<string>();
  const refreshTokens = new Set<string>();
  const issuedTokens = new Set<string>();
  const authorizationCodes = new Map<string, { challenge: string; redirectUri: string; scope: string }>();
  let base = '';

  const send = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const apiError = (
    response: ServerResponse,
    status: number,
    message: string,
    headers: Record<string, string> = {},
  ) => send(response, status, { error: { status, message } }, headers);
  const authError = (response: ServerResponse, status: number, error: string, description: string) =>
    send(response, status, { error, error_description: description });

  function issueToken(scope = '') {
    const token = `BQ${base64url(randomBytes(24))}`;
    accessTokens.add(token);
    issuedTokens.add(token);
    return { access_token: token, token_type: 'Bearer', expires_in: 3600, ...(scope ? { scope } : {}) };
  }

  function clientFrom(request: IncomingMessage, form: URLSearchParams): { id?: string; secret?: string } {
    const header = request.headers.authorization ?? '';
    if (header.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      return { id, secret };
    }
    return { id: form.get('client_id') ?? undefined };
  }

  function token(request: IncomingMessage, response: ServerResponse, body: string) {
    const form = new URLSearchParams(body);
    const client = clientFrom(request, form);
    const grant = form.get('grant_type');
    if (client.id !== options.clientId) return authError(response, 400, 'invalid_client', 'Invalid client');
    if (client.secret !== undefined && client.secret !== options.clientSecret) {
      return authError(response, 400, 'invalid_client', 'Invalid client secret');
    }
    if (grant === 'client_credentials') {
      if (client.secret === undefined) return authError(response, 400, 'invalid_client', 'Invalid client');
      return send(response, 200, issueToken());
    }
    if (grant === 'authorization_code') {
      const code = authorizationCodes.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (!code || code.redirectUri !== form.get('redirect_uri')) {
        return authError(response, 400, 'invalid_grant', 'Invalid authorization code');
      }
      if (base64url(createHash('sha256').update(verifier).digest()) !== code.challenge) {
        return authError(response, 400, 'invalid_grant', 'code_verifier was incorrect');
      }
      authorizationCodes.delete(form.get('code') ?? '');
      const refresh = `AQ${base64url(randomBytes(32))}`;
      refreshTokens.add(refresh);
      return send(response, 200, { ...issueToken(code.scope), refresh_token: refresh });
    }
    if (grant === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      if (!refreshTokens.has(presented))
        return authError(response, 400, 'invalid_grant', 'Invalid refresh token');
      if (!options.rotateRefreshTokens) return send(response, 200, issueToken('playlist-read-private'));
      refreshTokens.delete(presented);
      const rotated = `AQ${base64url(randomBytes(32))}`;
      refreshTokens.add(rotated);
      return send(response, 200, { ...issueToken('playlist-read-private'), refresh_token: rotated });
    }
    return authError(
      response,
      400,
      'unsupported_grant_type',
      `grant_type ${grant ?? '(none)'} is not supported`,
    );
  }

  function authorize(url: URL, response: ServerResponse) {
    const redirectUri = url.searchParams.get('redirect_uri') ?? '';
    const challenge = url.searchParams.get('code_challenge') ?? '';
    if (url.searchParams.get('client_id') !== options.clientId)
      return authError(response, 400, 'invalid_client', 'Invalid client');
    if (
      url.searchParams.get('response_type') !== 'code' ||
      url.searchParams.get('code_challenge_method') !== 'S256' ||
      !challenge
    ) {
      return authError(
        response,
        400,
        'invalid_request',
        'response_type=code with an S256 code_challenge is required',
      );
    }
    const code = base64url(randomBytes(16));
    authorizationCodes.set(code, { challenge, redirectUri, scope: url.searchParams.get('scope') ?? '' });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    const state = url.searchParams.get('state');
    if (state) target.searchParams.set('state', state);
    response.writeHead(302, { location: target.toString() });
    response.end();
  }

  function page(playlist: PlaylistFixture, segment: 'tracks' | 'items', offset: number, limit: number) {
    const entries = playlist.entries(options.snapshotDate);
    const slice = entries.slice(offset, offset + limit);
    const href = (at: number) => `${base}/v1/playlists/${playlist.id}/${segment}?offset=${at}&limit=${limit}`;
    return {
      href: href(offset),
      items: slice.map((entry) =>
        renderEntry(base, entry, options.apiShape, `${options.snapshotDate}T00:00:00Z`),
      ),
      limit,
      next: offset + limit < entries.length ? href(offset + limit) : null,
      offset,
      previous: offset > 0 ? href(Math.max(0, offset - limit)) : null,
      total: entries.length,
    };
  }

  function playlistResource(path: string, url: URL, response: ServerResponse, endpoint: StandInEndpoint) {
    const [, , , id, segment] = path.split('/');
    const playlist = options.playlists.get(id ?? '');
    const legacy = options.apiShape === 'legacy';
    if (!playlist) return apiError(response, 404, 'Resource not found');
    if (options.restrictedPlaylists.has(playlist.id)) {
      return legacy ? apiError(response, 404, 'Resource not found') : apiError(response, 403, 'Forbidden');
    }
    if (endpoint === 'playlist') {
      const firstPage = options.embedFirstPage
        ? page(playlist, legacy ? 'tracks' : 'items', 0, legacy ? 100 : 50)
        : null;
      const summary = {
        href: `${base}/v1/playlists/${playlist.id}/${legacy ? 'tracks' : 'items'}`,
        total: playlist.entries(options.snapshotDate).length,
      };
      return send(response, 200, {
        collaborative: false,
        description: 'Your daily update of the most played tracks right now (sample).',
        external_urls: { spotify: `https://open.spotify.com/playlist/${playlist.id}` },
        href: `${base}/v1/playlists/${playlist.id}`,
        id: playlist.id,
        images: [],
        name: playlist.name,
        owner: { display_name: 'Spotify', id: 'spotify', type: 'user', uri: 'spotify:user:spotify' },
        public: true,
        snapshot_id: `snap-${options.snapshotDate}`,
        type: 'playlist',
        uri: `spotify:playlist:${playlist.id}`,
        ...(legacy
          ? { followers: { href: null, total: 51_234_567 }, tracks: firstPage ?? summary }
          : { tracks: null, items: firstPage ?? summary }),
      });
    }
    // The 2026 API removed /tracks for development-mode apps (403); the legacy API has no /items (404).
    if (segment === 'tracks' && !legacy) return apiError(response, 403, 'Forbidden');
    if (segment === 'items' && legacy) return apiError(response, 404, 'Service not found');
    const limits = LIMITS[segment === 'items' ? 'items' : 'tracks'];
    const limit = Number(url.searchParams.get('limit') ?? limits.default);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > limits.max)
      return apiError(response, 400, 'Invalid limit');
    if (!Number.isInteger(offset) || offset < 0) return apiError(response, 400, 'Invalid offset');
    return send(response, 200, page(playlist, segment === 'items' ? 'items' : 'tracks', offset, limit));
  }

  function idsParam(url: URL, max: number): string[] | string {
    const ids = (url.searchParams.get('ids') ?? '').split(',').filter(Boolean);
    if (ids.length === 0) return 'Missing ids';
    if (ids.length > max) return 'Too many ids requested';
    return ids;
  }

  function artists(url: URL, response: ServerResponse) {
    if (!options.artistsAvailable)
      return apiError(
        response,
        options.apiShape === 'legacy' ? 403 : 404,
        options.apiShape === 'legacy' ? 'Forbidden' : 'Service not found',
      );
    const ids = idsParam(url, 50);
    if (typeof ids === 'string') return apiError(response, 400, ids);
    return send(response, 200, {
      artists: ids.map((id) => {
        const artist = artistById(id);
        return artist ? renderFullArtist(base, artist, options.apiShape) : null;
      }),
    });
  }

  function audioFeatures(url: URL, response: ServerResponse) {
    if (!options.audioFeaturesAvailable) return apiError(response, 403, 'Forbidden');
    const ids = idsParam(url, 100);
    if (typeof ids === 'string') return apiError(response, 400, ids);
    return send(response, 200, {
      audio_features: ids.map((id) => {
        const track = trackById(id);
        return track ? renderAudioFeatures(base, track) : null;
      }),
    });
  }

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

    const fault = takeFault(endpoint, `${url.pathname}${url.search}`);
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (response.destroyed) return;
    if (fault?.status) {
      const headers: Record<string, string> =
        fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
      return endpoint === 'token'
        ? send(
            response,
            fault.status,
            { error: 'invalid_client', error_description: 'Invalid client secret' },
            headers,
          )
        : apiError(
            response,
            fault.status,
            fault.status === 429 ? 'API rate limit exceeded' : 'Server error',
            headers,
          );
    }
    if (fault?.malformed) return send(response, 200, '{"items": [{"track": {"name": "cut off');
    if (fault?.body !== undefined) return send(response, 200, fault.body);

    if (endpoint === 'token') return token(request, response, body);
    if (endpoint === 'authorize') return authorize(url, response);
    if (endpoint === 'unknown') return apiError(response, 404, 'Service not found');
    const bearer = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
    if (!accessTokens.has(bearer))
      return apiError(response, 401, bearer ? 'Invalid access token' : 'No token provided');
    if (endpoint === 'playlist' || endpoint === 'playlist_items')
      return playlistResource(url.pathname, url, response, endpoint);
    if (endpoint === 'artists') return artists(url, response);
    return audioFeatures(url, response);
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
    issuedTokens,
    target: () => ({
      apiUrl: base,
      accountsUrl: base,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
    }),
    count: (endpoint) =>
      endpoint ? requests.filter((record) => record.endpoint === endpoint).length : requests.length,
    resetCounts: () => void requests.splice(0, requests.length),
    grantRefreshToken: () => {
      const token = `AQ${base64url(randomBytes(32))}`;
      refreshTokens.add(token);
      return token;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
