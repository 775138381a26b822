import * as z from 'zod/mini';
import '../../validation';
import {
  InvalidSpotifyPayload,
  SpotifyAuthError,
  SpotifyRateLimited,
  SpotifyUnavailable,
} from '../../errors';
import type { AuthMode, CredentialsSource, SpotifyCredentials } from '../credentials';
import { errorBodySchema, tokenResponseSchema } from './schemas';

export interface RetryPolicy {
  /** Per-request timeout. */
  readonly requestTimeoutMs: number;
  /** Attempts per request for 5xx, resets and timeouts (and for short 429 waits). */
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly maxRetryDelayMs: number;
  /** Longest Retry-After we sleep through inside the Lambda; longer ones go back to Step Functions. */
  readonly maxRetryAfterSeconds: number;
}

export interface SpotifyHttpOptions {
  readonly apiUrl: string;
  readonly accountsUrl: string;
  readonly credentials: CredentialsSource;
  readonly policy: RetryPolicy;
  /** Time left in the invocation (Lambda context); waits never run past it. */
  readonly remainingTimeMs: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export type Endpoint = 'token' | 'playlist' | 'playlist_items' | 'artists' | 'audio_features';

export interface CallStats {
  authMode?: AuthMode;
  refreshTokenRotated?: boolean;
  /** HTTP requests sent, retries included. */
  requests: number;
  retries: number;
  rateLimitWaits: number;
  byEndpoint: Partial<Record<Endpoint, number>>;
}

/** 4xx other than 401/429 on an API resource: callers decide what it means (inaccessible, unavailable). */
export class SpotifyRequestRefused extends Error {
  override readonly name = 'SpotifyRequestRefused';
  constructor(
    readonly status: number,
    readonly endpoint: Endpoint,
    readonly path: string,
    readonly detail: string,
  ) {
    super(`Spotify answered HTTP ${status} to ${path}: ${detail}`);
  }
}

/** Keeps a safety margin so a Lambda never times out in the middle of our own waiting. */
const TIME_MARGIN_MS = 5_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One HTTP request to Spotify, built from the configured base URL (so a proxy or stand-in can take its place). */
interface SpotifyRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** A configured base URL such as `https://api.spotify.com` or `http://127.0.0.1:8080/spotify`. */
class ServerAddress {
  private readonly base: URL;
  constructor(url: string) {
    this.base = new URL(url);
  }
  get basePath(): string {
    return this.base.pathname.replace(/\/+$/, '');
  }
  /** `path` is `/v1/...` with an optional query; it is appended to the base URL's own path. */
  resolve(path: string): string {
    return `${this.base.origin}${this.basePath}${path}`;
  }
}

/** Where a redirect pointed, without its query (which may carry a code or token). */
function describeLocation(response: Response): string {
  const location = response.headers.get('location');
  if (!location) return '';
  try {
    const url = new URL(location);
    return ` to ${url.origin}${url.pathname}`;
  } catch {
    return '';
  }
}

function describeBody(text: string): string {
  const parsed = errorBodySchema.safeParse(safeJson(text));
  if (!parsed.success) return text.slice(0, 120) || '(empty body)';
  const { error, error_description: description } = parsed.data;
  if (typeof error === 'string') return description ? `${error}: ${description}` : error;
  return error.message ?? 'no message';
}

/** fetch aborts with a DOMException named TimeoutError (not always an `instanceof Error` across realms). */
function isTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'name' in error && error.name === 'TimeoutError';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The one place that talks HTTP to Spotify. Requests go to SPOTIFY_API_URL / SPOTIFY_ACCOUNTS_URL
 * and are sent with fetch, so that every
 * request has a timeout, transient failures are retried with jittered backoff, 429 honours
 * Retry-After within the invocation's time, and every JSON body is validated, never cast.
 */
export class SpotifyHttpClient {
  readonly stats: CallStats = { requests: 0, retries: 0, rateLimitWaits: 0, byEndpoint: {} };
  private readonly api: ServerAddress;
  private readonly accounts: ServerAddress;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private token?: { value: string; expiresAt: number };

  constructor(private readonly options: SpotifyHttpOptions) {
    this.api = new ServerAddress(options.apiUrl);
    this.accounts = new ServerAddress(options.accountsUrl);
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
  }

  /** GET a Web API path (`/v1/...`, or a `next` URL Spotify returned) and validate the JSON body. */
  async getJson<T>(endpoint: Endpoint, pathOrUrl: string, schema: z.ZodMiniType<T>): Promise<T> {
    const path = this.toApiPath(pathOrUrl);
    let response = await this.send(endpoint, 'GET', await this.apiRequest(path));
    if (response.status === 401) {
      // Tokens last an hour; one may expire mid-run. Get a fresh one once, then give up.
      this.token = undefined;
      response = await this.send(endpoint, 'GET', await this.apiRequest(path));
      if (response.status === 401) {
        throw new SpotifyAuthError(
          `Spotify rejected a freshly issued access token for ${path} (HTTP 401: ${describeBody(response.text)}). ` +
            `Check that the app in ${this.options.credentials.describe()} is allowed to use the Web API.`,
        );
      }
    }
    if (response.status >= 400) {
      throw new SpotifyRequestRefused(response.status, endpoint, path, describeBody(response.text));
    }
    return this.parse(endpoint, path, response.text, schema);
  }

  private async apiRequest(path: string): Promise<SpotifyRequest> {
    return {
      url: this.api.resolve(path),
      headers: { Authorization: `Bearer ${await this.accessToken()}`, Accept: 'application/json' },
    };
  }

  private toApiPath(pathOrUrl: string): string {
    if (!/^https?:\/\//.test(pathOrUrl)) return pathOrUrl;
    const url = new URL(pathOrUrl);
    // `next` links point at Spotify's own host; keep only path and query so proxies/stand-ins keep working.
    const path = url.pathname.startsWith(this.api.basePath)
      ? url.pathname.slice(this.api.basePath.length)
      : url.pathname;
    return `${path}${url.search}`;
  }

  private parse<T>(endpoint: Endpoint, path: string, text: string, schema: z.ZodMiniType<T>): T {
    const json = safeJson(text);
    if (json === undefined) {
      throw new InvalidSpotifyPayload(
        `Spotify's answer to ${path} is not valid JSON (starts with ${JSON.stringify(text.slice(0, 60))}). ` +
          'If SPOTIFY_API_URL points at a proxy, check the proxy; otherwise retry the execution later.',
      );
    }
    const result = schema.safeParse(json);
    if (!result.success) {
      throw new InvalidSpotifyPayload(
        `Spotify's ${endpoint} payload from ${path} does not have the documented shape: ` +
          z.prettifyError(result.error).slice(0, 600),
      );
    }
    return result.data;
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now()) return this.token.value;
    const credentials = await this.options.credentials.load();
    const request = this.tokenRequest(credentials);
    const response = await this.send('token', 'POST', request);
    this.stats.authMode = credentials.mode;
    if (response.status >= 400) {
      const grant = credentials.mode === 'user_token' ? 'refresh token' : 'client credentials';
      throw new SpotifyAuthError(
        `Spotify's accounts service refused the ${grant} (HTTP ${response.status}: ${describeBody(response.text)}). ` +
          `Check the values in ${this.options.credentials.describe()}` +
          (credentials.mode === 'user_token'
            ? ', or run `npm run spotify:authorize` again for a new refresh token.'
            : '.'),
      );
    }
    const token = this.parse('token', '/api/token', response.text, tokenResponseSchema);
    if (
      credentials.mode === 'user_token' &&
      token.refresh_token &&
      token.refresh_token !== credentials.refreshToken
    ) {
      try {
        await this.options.credentials.saveRefreshToken(token.refresh_token);
      } catch (error) {
        throw new SpotifyAuthError(
          `Spotify issued a new refresh token but storing it in ${this.options.credentials.describe()} failed ` +
            `(${error instanceof Error ? error.name : String(error)}); the stored one may no longer work. ` +
            'Run `npm run spotify:authorize` again and store the new token.',
        );
      }
      this.stats.refreshTokenRotated = true;
    }
    this.token = {
      value: token.access_token,
      expiresAt: Date.now() + Math.max(0, token.expires_in - 60) * 1000,
    };
    return token.access_token;
  }

  /** Client credentials authenticate with Basic; a PKCE refresh token names the client in the body. */
  private tokenRequest(credentials: SpotifyCredentials): SpotifyRequest {
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
    let body: Record<string, string>;
    if (credentials.mode === 'user_token') {
      body = {
        grant_type: 'refresh_token',
        refresh_token: credentials.refreshToken,
        client_id: credentials.clientId,
      };
    } else {
      body = { grant_type: 'client_credentials' };
      const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64');
      headers.Authorization = `Basic ${basic}`;
    }
    return {
      url: this.accounts.resolve('/api/token'),
      headers,
      body: new URLSearchParams(body).toString(),
    };
  }

  /** Sends with timeout and retries; returns the final response for any status below 500 but 429. */
  private async send(
    endpoint: Endpoint,
    method: 'GET' | 'POST',
    request: SpotifyRequest,
  ): Promise<{ status: number; text: string }> {
    const { policy } = this.options;
    let lastProblem = '';
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {
      if (attempt > 1) this.stats.retries += 1;
      this.stats.requests += 1;
      this.stats.byEndpoint[endpoint] = (this.stats.byEndpoint[endpoint] ?? 0) + 1;
      const timeoutMs = Math.max(
        1,
        Math.min(policy.requestTimeoutMs, this.options.remainingTimeMs() - TIME_MARGIN_MS),
      );
      let response: Response;
      let text: string;
      try {
        response = await fetch(request.url, {
          method,
          headers: request.headers,
          ...(request.body === undefined ? {} : { body: request.body }),
          // A redirect could carry credentials to another host: treat it as an answer, never follow it.
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await response.text();
      } catch (error) {
        lastProblem = isTimeout(error) ? `no answer within ${timeoutMs} ms` : String(error);
        await this.backoff(attempt);
        continue;
      }

      if (response.status === 429) {
        const retryAfterSeconds = Math.max(1, Number(response.headers.get('retry-after')) || 1);
        const waitMs = retryAfterSeconds * 1000;
        const fits = waitMs + TIME_MARGIN_MS < this.options.remainingTimeMs();
        if (retryAfterSeconds > policy.maxRetryAfterSeconds || !fits || attempt === policy.maxAttempts) {
          throw new SpotifyRateLimited(
            retryAfterSeconds,
            `Spotify rate-limited ${endpoint} (HTTP 429, Retry-After ${retryAfterSeconds} s), longer than this invocation ` +
              `may wait (cap ${policy.maxRetryAfterSeconds} s). The state machine retries later; ` +
              'if this repeats, run less often or with fewer playlists.',
          );
        }
        this.stats.rateLimitWaits += 1;
        await this.sleep(waitMs);
        continue;
      }
      if (response.status >= 300 && response.status < 400) {
        throw new InvalidSpotifyPayload(
          `Spotify's ${endpoint} endpoint answered HTTP ${response.status} (a redirect${describeLocation(response)}); ` +
            'redirects are not followed, so that credentials never reach another host. ' +
            'Check SPOTIFY_API_URL and SPOTIFY_ACCOUNTS_URL.',
        );
      }
      if (response.status >= 500) {
        lastProblem = `HTTP ${response.status}`;
        await this.backoff(attempt);
        continue;
      }
      return { status: response.status, text };
    }
    throw new SpotifyUnavailable(
      `Spotify did not answer ${endpoint} successfully after ${policy.maxAttempts} attempts (last: ${lastProblem}). ` +
        'The state machine retries later; if it keeps failing, check the Spotify developer status page.',
    );
  }

  private async backoff(attempt: number): Promise<void> {
    if (attempt >= this.options.policy.maxAttempts) return;
    const { retryBaseMs, maxRetryDelayMs } = this.options.policy;
    const ceiling = Math.min(maxRetryDelayMs, retryBaseMs * 2 ** (attempt - 1));
    const delay = Math.round(this.random() * ceiling);
    if (delay + TIME_MARGIN_MS < this.options.remainingTimeMs()) await this.sleep(delay);
  }
}
