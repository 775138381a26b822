import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { EnvCredentialsSource } from '../../functions/commons/clients/credentials';
import {
  MAX_ENTRIES_PER_SOURCE,
  MAX_PAGES_PER_SOURCE,
  WebApiCatalog,
} from '../../functions/commons/clients/spotify/catalog';
import {
  DEFAULT_MAX_BODY_BYTES,
  maxBodyBytesSetting,
  SpotifyHttpClient,
} from '../../functions/commons/clients/spotify/http-client';
import { topTracksPageSchema } from '../../functions/commons/clients/spotify/schemas';
import { rejectionOf } from '../helpers/errors';

/**
 * Hostile servers on 127.0.0.1: answers that never end, that inflate to a GiB, that point elsewhere or
 * echo our credentials back. The client must stop early, stay small, stay home and say nothing secret.
 */

const CLIENT_ID = 'bounded-input-client';
const CLIENT_SECRET = 'client-secret-value-42';
/** Not token-shaped on purpose: it is removed because the client knows it, not because of its looks. */
const ACCESS_TOKEN = 'access-token-value-17';

interface Hostile {
  readonly url: string;
  /** Every request's method and URL, in order (token requests included). */
  readonly requests: { method: string; url: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

/**
 * A server that issues ACCESS_TOKEN at POST /api/token (unless `answer` handles it) and answers
 * everything else with `answer`, which may stream.
 */
async function startHostile(
  answer: (request: IncomingMessage, response: ServerResponse, url: string) => void,
): Promise<Hostile> {
  const requests: Hostile['requests'] = [];
  let url = '';
  const server: Server = createServer((request, response) => {
    requests.push({
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      authorization: request.headers.authorization,
    });
    request.resume();
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/api/token' && !response.headersSent) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3600 }));
        return;
      }
      answer(request, response, url);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** Samples the resident set size while `work` runs: the before, the peak and the after. */
async function measureRss<T>(work: () => Promise<T>): Promise<{ outcome: T; before: number; peak: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 2);
  try {
    const outcome = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { outcome, before, peak };
  } finally {
    clearInterval(timer);
  }
}

const MB = 1024 * 1024;

describe('bounded input from Spotify (or whatever answers in its place)', () => {
  const servers: Hostile[] = [];
  let sleeps: number[];

  async function hostile(...args: Parameters<typeof startHostile>) {
    const server = await startHostile(...args);
    servers.push(server);
    return server;
  }

  beforeEach(() => {
    sleeps = [];
    WebApiCatalog.forgetRefusals();
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  function client(options: { apiUrl: string; accountsUrl?: string; maxBodyBytes?: number }) {
    const http = new SpotifyHttpClient({
      apiUrl: options.apiUrl,
      accountsUrl: options.accountsUrl ?? options.apiUrl,
      credentials: new EnvCredentialsSource({
        SPOTIFY_CLIENT_ID: CLIENT_ID,
        SPOTIFY_CLIENT_SECRET: CLIENT_SECRET,
      }),
      policy: {
        requestTimeoutMs: 5_000,
        maxAttempts: 4,
        retryBaseMs: 100,
        maxRetryDelayMs: 250,
        maxRetryAfterSeconds: 60,
      },
      remainingTimeMs: () => 300_000,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 1,
      ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    });
    return { http, catalog: new WebApiCatalog(http) };
  }

  const apiRequests = (server: Hostile) => server.requests.filter((request) => request.method === 'GET');

  describe('paging', () => {
    it('a server sending fresh `next` links forever: InvalidSpotifyPayload after the page cap', async () => {
      const entry = { added_at: null, item: null };
      const page = (base: string, n: number) => ({
        items: Array.from({ length: 50 }, () => entry),
        next: `${base}/v1/playlists/loop/items?page=${n + 1}&nonce=${Math.random()}`,
        offset: n * 50,
        total: MAX_ENTRIES_PER_SOURCE,
      });
      const api = await hostile((request, response, base) => {
        const n = Number(new URL(request.url ?? '/', base).searchParams.get('page') ?? '0');
        if (request.url?.startsWith('/v1/playlists/loop?') || request.url === '/v1/playlists/loop') {
          json(response, 200, { id: 'loop', name: 'Loop', items: page(base, 0) });
          return;
        }
        json(response, 200, page(base, n));
      });
      const { catalog } = client({ apiUrl: api.url });
      const { outcome, before, peak } = await measureRss(() => rejectionOf(catalog.fetchPlaylist('loop')));
      expect(outcome.name).toBe('InvalidSpotifyPayload');
      expect(outcome.message).toContain('does not end');
      expect(MAX_PAGES_PER_SOURCE).toBe(200);
      // The playlist object (with the first page) and the pages after it: never more than the cap.
      expect(apiRequests(api)).toHaveLength(MAX_PAGES_PER_SOURCE);
      expect(sleeps).toEqual([]);
      expect(peak - before).toBeLessThan(100 * MB);
    });

    it('a `total` beyond the quality bound is not believed: one request, then InvalidSpotifyPayload', async () => {
      const api = await hostile((_request, response, base) =>
        json(response, 200, {
          id: 'huge',
          name: 'Huge',
          items: { items: [], next: `${base}/v1/playlists/huge/items?offset=0`, total: 1_000_000_000 },
        }),
      );
      const error = await rejectionOf(client({ apiUrl: api.url }).catalog.fetchPlaylist('huge'));
      expect(error.name).toBe('InvalidSpotifyPayload');
      expect(error.message).toContain(`more than a source may have (${MAX_ENTRIES_PER_SOURCE}`);
      expect(apiRequests(api)).toHaveLength(1);
    });

    it('a single page with more entries than a source may have: InvalidSpotifyPayload', async () => {
      const api = await hostile((_request, response) =>
        json(response, 200, {
          items: Array.from({ length: MAX_ENTRIES_PER_SOURCE + 1 }, () => 0),
          next: null,
        }),
      );
      const error = await rejectionOf(client({ apiUrl: api.url }).catalog.fetchTopTracks('short_term'));
      expect(error.name).toBe('InvalidSpotifyPayload');
      expect(apiRequests(api)).toHaveLength(1);
    });
  });

  describe('size', () => {
    it('a gzip bomb (64 MiB of zeros, about 64 KB on the wire): InvalidSpotifyPayload after one request, memory flat', async () => {
      const bomb = gzipSync(Buffer.alloc(64 * MB), { level: 9 });
      expect(bomb.length).toBeLessThan(MB);
      const api = await hostile((_request, response) => {
        // No Content-Length: chunked, so only counting the inflated bytes can stop it.
        response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        response.end(bomb);
      });
      const { http } = client({ apiUrl: api.url });
      const { outcome, before, peak } = await measureRss(() =>
        rejectionOf(http.getJson('top_tracks', '/v1/me/top/tracks', topTracksPageSchema)),
      );
      expect(outcome.name).toBe('InvalidSpotifyPayload');
      expect(outcome.message).toContain(`answer larger than ${DEFAULT_MAX_BODY_BYTES} bytes`);
      expect(apiRequests(api)).toHaveLength(1);
      expect(sleeps).toEqual([]);
      const after = process.memoryUsage().rss;
      expect(peak - before).toBeLessThan(100 * MB);
      expect(after - before).toBeLessThan(100 * MB);
    });

    it('a 1 GiB gzip bomb made on the fly (as the tester sent it): one request, the server stopped early', async () => {
      let fed = 0;
      const api = await hostile((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        const zeros = Buffer.alloc(MB);
        async function* gigabyte() {
          for (let i = 0; i < 1024; i += 1) {
            fed += zeros.length;
            yield zeros;
            await Promise.resolve();
          }
        }
        pipeline(Readable.from(gigabyte()), createGzip(), response).catch(() => undefined);
      });
      const { http } = client({ apiUrl: api.url });
      const { outcome, before, peak } = await measureRss(() =>
        rejectionOf(http.getJson('top_tracks', '/v1/me/top/tracks', topTracksPageSchema)),
      );
      expect(outcome.name).toBe('InvalidSpotifyPayload');
      expect(outcome.message).toContain(`answer larger than ${DEFAULT_MAX_BODY_BYTES} bytes`);
      expect(apiRequests(api)).toHaveLength(1);
      expect(sleeps).toEqual([]);
      expect(peak - before).toBeLessThan(100 * MB);
      // The client hung up: the server never had to produce the whole gigabyte.
      expect(fed).toBeLessThan(1024 * MB);
    });

    it('a plain body past the cap, streamed without Content-Length: InvalidSpotifyPayload, not retried', async () => {
      const api = await hostile((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"items":[');
        response.end(`${'0,'.repeat(40_000)}0],"next":null}`);
      });
      const error = await rejectionOf(
        client({ apiUrl: api.url, maxBodyBytes: 64 * 1024 }).http.getJson(
          'top_tracks',
          '/v1/me/top/tracks',
          topTracksPageSchema,
        ),
      );
      expect(error.name).toBe('InvalidSpotifyPayload');
      expect(error.message).toContain('answer larger than 65536 bytes');
      expect(apiRequests(api)).toHaveLength(1);
    });

    it('a Content-Length over the cap is refused before the body is read', async () => {
      let written = 0;
      const api = await hostile((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(200 * MB) });
        // Would take a while to send all of it; the client hangs up after the headers.
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (written < 200 * MB && response.write(chunk)) written += chunk.length;
        };
        response.on('drain', pump);
        response.on('close', () => response.off('drain', pump));
        pump();
      });
      const error = await rejectionOf(
        client({ apiUrl: api.url }).http.getJson('top_tracks', '/v1/me/top/tracks', topTracksPageSchema),
      );
      expect(error.name).toBe('InvalidSpotifyPayload');
      expect(error.message).toContain(`answer larger than ${DEFAULT_MAX_BODY_BYTES} bytes`);
      expect(apiRequests(api)).toHaveLength(1);
      expect(written).toBeLessThan(50 * MB);
    });

    it('an error body is capped too, and a large one is bad data rather than an outage', async () => {
      const api = await hostile((_request, response) => {
        response.writeHead(503, { 'content-type': 'text/plain' });
        response.end('x'.repeat(128 * 1024));
      });
      const error = await rejectionOf(
        client({ apiUrl: api.url, maxBodyBytes: 64 * 1024 }).http.getJson(
          'top_tracks',
          '/v1/me/top/tracks',
          topTracksPageSchema,
        ),
      );
      expect(error.name).toBe('InvalidSpotifyPayload');
      expect(apiRequests(api)).toHaveLength(1);
    });

    it('SPOTIFY_MAX_BODY_BYTES sets the cap (default 10 MiB) and refuses nonsense', () => {
      expect(maxBodyBytesSetting({})).toBe(10 * MB);
      expect(maxBodyBytesSetting({ SPOTIFY_MAX_BODY_BYTES: '2097152' })).toBe(2 * MB);
      expect(() => maxBodyBytesSetting({ SPOTIFY_MAX_BODY_BYTES: 'lots' })).toThrow(/SPOTIFY_MAX_BODY_BYTES/);
      expect(() => maxBodyBytesSetting({ SPOTIFY_MAX_BODY_BYTES: '10' })).toThrow(/>= 1024/);
    });
  });

  describe('links', () => {
    async function playlistLinkingTo(next: (base: string) => string) {
      const api = await hostile((_request, response, base) =>
        json(response, 200, {
          id: 'p',
          name: 'P',
          items: { items: [{ added_at: null, item: null }], next: next(base), total: 2 },
        }),
      );
      const error = await rejectionOf(client({ apiUrl: api.url }).catalog.fetchPlaylist('p'));
      return { api, error };
    }

    it('a `next` of file:///etc/passwd: InvalidSpotifyPayload, no retry, no second request', async () => {
      const { api, error } = await playlistLinkingTo(() => 'file:///etc/passwd');
      expect(error.name).toBe('InvalidSpotifyPayload');
      expect(error.message).toContain('not an http(s) URL');
      expect(apiRequests(api)).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });

    it('a `next` on another origin is neither followed nor rewritten onto the configured host', async () => {
      const elsewhere = await hostile((_request, response) =>
        json(response, 200, { items: [], next: null, total: 2 }),
      );
      const { api, error } = await playlistLinkingTo(() => `${elsewhere.url}/v1/playlists/p/items?offset=1`);
      expect(error.name).toBe('InvalidSpotifyPayload');
      expect(error.message).toContain(`not on the configured API server ${api.url}`);
      expect(elsewhere.requests).toEqual([]);
      expect(apiRequests(api)).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });

    it.each([
      [
        'another port of the same host',
        (base: string) => `${base.replace(/:\d+$/, ':9')}/v1/playlists/p/items`,
      ],
      ['a remote host', () => 'http://evil.example:9/v1/playlists/p/items'],
      ["plain http to Spotify's host", () => 'http://api.spotify.com/v1/playlists/p/items'],
      ['a protocol-relative link', () => '//evil.example/v1/playlists/p/items'],
      ['credentials in the link', (base: string) => base.replace('http://', 'http://user:pw@') + '/v1/x'],
      ['not a URL at all', () => 'javascript:alert(1)'],
    ])('a `next` to %s: InvalidSpotifyPayload, one request', async (_what, next) => {
      const { api, error } = await playlistLinkingTo(next);
      expect(error.name).toBe('InvalidSpotifyPayload');
      expect(apiRequests(api)).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });

    it("a `next` on Spotify's own host is sent to the configured stand-in, path and query kept", async () => {
      const api = await hostile((request, response) => {
        if (request.url === '/v1/playlists/p') {
          json(response, 200, {
            id: 'p',
            name: 'P',
            items: {
              items: [{ added_at: null, item: null }],
              next: 'https://api.spotify.com/v1/playlists/p/items?offset=1&limit=50',
              total: 2,
            },
          });
          return;
        }
        json(response, 200, { items: [{ added_at: null, item: null }], next: null, total: 2 });
      });
      const snapshot = await client({ apiUrl: api.url }).catalog.fetchPlaylist('p');
      expect(snapshot.itemPages).toHaveLength(2);
      expect(apiRequests(api).map((request) => request.url)).toEqual([
        '/v1/playlists/p',
        '/v1/playlists/p/items?offset=1&limit=50',
      ]);
    });
  });

  describe('secrets never reach an error message', () => {
    it('a token endpoint echoing the Basic Authorization header (and the decoded secret)', async () => {
      const server = await hostile((request, response) => {
        const authorization = request.headers.authorization ?? '';
        const decoded = Buffer.from(authorization.replace(/^Basic /, ''), 'base64').toString('utf8');
        json(response, 400, {
          error: 'invalid_client',
          error_description: `Invalid client. Got Authorization: ${authorization} (${decoded}) and headers ${JSON.stringify(request.headers)}`,
        });
      });
      // The accounts service under /refuse: its POST /refuse/api/token reaches `answer`, which refuses.
      const { catalog } = client({ apiUrl: server.url, accountsUrl: `${server.url}/refuse` });
      const error = await rejectionOf(catalog.fetchTopTracks('short_term'));
      expect(error.name).toBe('SpotifyAuthError');
      const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
      expect(server.requests.at(-1)?.authorization).toBe(`Basic ${basic}`);
      expect(error.message).toContain('invalid_client');
      expect(error.message).not.toContain(CLIENT_SECRET);
      expect(error.message).not.toContain(basic);
      expect(error.message.length).toBeLessThan(1_000);
    });

    it('a Web API error body echoing the Bearer token, as JSON or as text', async () => {
      const api = await hostile((request, response) => {
        const headers = JSON.stringify(request.headers);
        if (request.url?.includes('json')) {
          json(response, 400, { error: { status: 400, message: `Bad request, headers were ${headers}` } });
        } else {
          response.writeHead(418, { 'content-type': 'text/plain' });
          response.end(`I got: ${headers} and Authorization: ${request.headers.authorization ?? ''}`);
        }
      });
      const { http } = client({ apiUrl: api.url });
      for (const path of ['/v1/me/top/tracks?as=json', '/v1/me/top/tracks?as=text']) {
        const error = await rejectionOf(http.getJson('top_tracks', path, topTracksPageSchema));
        expect(error.name).toBe('SpotifyRequestRefused');
        expect(error.message).not.toContain(ACCESS_TOKEN);
        expect(error.message).not.toContain(CLIENT_SECRET);
      }
      expect(apiRequests(api)[0]?.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    });

    it('an answer that is not JSON, echoing the token, says where it starts without the token', async () => {
      const api = await hostile((request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end(`${request.headers.authorization ?? ''} <html>proxy login</html>`);
      });
      const error = await rejectionOf(
        client({ apiUrl: api.url }).http.getJson('top_tracks', '/v1/me/top/tracks', topTracksPageSchema),
      );
      expect(error.name).toBe('InvalidSpotifyPayload');
      expect(error.message).toContain('not valid JSON');
      expect(error.message).not.toContain(ACCESS_TOKEN);
    });

    it('a proxy password in SPOTIFY_API_URL / SPOTIFY_ACCOUNTS_URL is in no message and no stats', async () => {
      const api = await hostile((_request, response) =>
        json(response, 404, { error: { status: 404, message: 'nope' } }),
      );
      const password = 'proxy-password-99';
      const withPassword = api.url.replace('http://', `http://user:${password}@`);
      const { http } = client({ apiUrl: `${withPassword}/spotify`, accountsUrl: withPassword });
      const error = await rejectionOf(http.getJson('top_tracks', '/v1/me/top/tracks', topTracksPageSchema));
      expect(error.name).toBe('SpotifyRequestRefused');
      expect(error.message).not.toContain(password);
      expect(JSON.stringify(http.stats)).not.toContain(password);
      expect(http.stats.apiUrl).toBe(`${api.url.replace('http://', 'http://user:[redacted]@')}/spotify`);
      expect(http.stats.accountsUrl).toBe(api.url.replace('http://', 'http://user:[redacted]@'));

      // A link carrying it (or a token in its query) is refused without repeating either.
      const linking = await hostile((_request, response) =>
        json(response, 200, {
          id: 'p',
          name: 'P',
          items: {
            items: [],
            next: `http://user:${password}@evil.example/v1/x?access_token=${ACCESS_TOKEN}`,
            total: 1,
          },
        }),
      );
      const refused = await rejectionOf(client({ apiUrl: linking.url }).catalog.fetchPlaylist('p'));
      expect(refused.name).toBe('InvalidSpotifyPayload');
      expect(refused.message).not.toContain(password);
      expect(refused.message).not.toContain(ACCESS_TOKEN);
    });
  });
});
