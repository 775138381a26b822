import * as z from 'zod/mini';
import '../../validation';
import { DEFAULT_SPOTIFY_API_URL } from '../../constants';
import {
  ConfigurationError,
  InvalidSpotifyPayload,
  SpotifyAuthError,
  SpotifyPremiumRequired,
  SpotifyQuotaExceeded,
  SpotifyRateLimited,
  SpotifyScopeMissing,
  SpotifyUnavailable,
} from '../../errors';
import { redactUrl, safeDetail } from '../../redact';
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
  /**
   * Largest answer read, before and after decompression (bytes); a larger one is InvalidSpotifyPayload.
   * Default: SPOTIFY_MAX_BODY_BYTES, else DEFAULT_MAX_BODY_BYTES.
   */
  readonly maxBodyBytes?: number;
}

/** 10 MiB: Spotify's largest answers (a page of 100 full tracks, 50 full artists) are a few hundred KB. */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** SPOTIFY_MAX_BODY_BYTES, or the default. */
export function maxBodyBytesSetting(env: NodeJS.ProcessEnv): number {
  const raw = env.SPOTIFY_MAX_BODY_BYTES?.trim();
  if (!raw) return DEFAULT_MAX_BODY_BYTES;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1024) {
    throw new ConfigurationError(
      `Environment variable SPOTIFY_MAX_BODY_BYTES must be an integer >= 1024, got "${raw.slice(0, 40)}".`,
    );
  }
  return value;
}

/** How long an error detail taken from an answer (a body, a URL) may be. */
const MAX_DETAIL_CHARS = 300;

export type Endpoint =
  'token' | 'playlist' | 'playlist_items' | 'artists' | 'audio_features' | 'top_tracks' | 'recently_played';

export interface CallStats {
  /**
   * The configured servers, without a URL password or credential query values: stats reach logs and
   * manifests. Always set; optional only so that the Extract handler's `{ apiUrl, accountsUrl, ...stats }`
   * compiles while these (redacted) values override its raw ones.
   */
  readonly apiUrl?: string;
  readonly accountsUrl?: string;
  authMode?: AuthMode;
  refreshTokenRotated?: boolean;
  /** HTTP requests sent, retries included. */
  requests: number;
  retries: number;
  rateLimitWaits: number;
  byEndpoint: Partial<Record<Endpoint, number>>;
  /** Answers that were not valid UTF-8: their bad bytes became U+FFFD (counted in the manifest). */
  invalidUtf8Answers?: number;
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

const refreshesInFlight = new Map<string, Promise<{ status: number; text: string }>>();

/** Keeps a safety margin so a Lambda never times out in the middle of our own waiting. */
const TIME_MARGIN_MS = 5_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One HTTP request to Spotify, built from the configured base URL (so a proxy or stand-in can take its place). */
interface SpotifyRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** Spotify's own Web API host, where the `next` links of its answers point. */
const SPOTIFY_API_ORIGIN = new URL(DEFAULT_SPOTIFY_API_URL).origin;

/** A configured base URL such as `https://api.spotify.com` or `http://127.0.0.1:8080/spotify`. */
class ServerAddress {
  private readonly base: URL;
  constructor(url: string) {
    this.base = new URL(url);
  }
  get origin(): string {
    return this.base.origin;
  }
  get basePath(): string {
    return this.base.pathname.replace(/\/+$/, '');
  }
  /** The URL's password (decoded), if it has one: a secret to keep out of messages. */
  get password(): string | undefined {
    return this.base.password ? decodeURIComponent(this.base.password) : undefined;
  }
  /**
   * `path` is `/v1/...` with an optional query; it is appended to the base URL's own path. The result
   * is checked to be on this server's origin, whatever the path holds (`//host`, `\\host`, `@host`).
   */
  resolve(path: string): string {
    const url = `${this.base.origin}${this.basePath}${path}`;
    let origin: string | undefined;
    try {
      origin = new URL(url).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== this.base.origin) {
      throw new InvalidSpotifyPayload(
        `A Spotify path (${safeDetail(path, [], MAX_DETAIL_CHARS)}) does not stay on ${this.base.origin}; it is not followed.`,
      );
    }
    return url;
  }
}

/** Where a redirect pointed, without its query (which may carry a code or token). */
function describeLocation(response: Response): string {
  const location = response.headers.get('location');
  if (!location) return '';
  try {
    const url = new URL(location);
    return ` to ${safeDetail(`${url.origin}${url.pathname}`, [], MAX_DETAIL_CHARS)}`;
  } catch {
    return '';
  }
}

/**
 * The body as text, read chunk by chunk and given up as soon as it passes `maxBytes`: a declared
 * Content-Length over the cap (the size on the wire, compressed or not) is refused before reading,
 * and the decompressed bytes (fetch inflates gzip, br and deflate) are counted as they arrive, so a
 * compression bomb costs at most `maxBytes` of memory. `abort` drops the connection.
 */
async function readBody(
  response: Response,
  maxBytes: number,
  abort: () => void,
): Promise<{ text: string; validUtf8: boolean }> {
  const tooLarge = () =>
    new BodyTooLarge(
      `answer larger than ${maxBytes} bytes, not read further (SPOTIFY_MAX_BODY_BYTES sets the limit)`,
    );
  const declared = Number(response.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > maxBytes) {
    abort();
    throw tooLarge();
  }
  if (!response.body) return { text: '', validUtf8: true };
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      abort();
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  // TextDecoder, as Response.text(): UTF-8, a leading BOM dropped, invalid bytes replaced (and noted).
  const bytes = Buffer.concat(chunks);
  try {
    return { text: STRICT_UTF8.decode(bytes), validUtf8: true };
  } catch {
    return { text: new TextDecoder().decode(bytes), validUtf8: false };
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** An answer over the size cap: bad data, never retried (the next attempt would be as large). */
class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

function isQuotaExceeded(text: string): boolean {
  const parsed = errorBodySchema.safeParse(safeJson(text));
  return (
    parsed.success && typeof parsed.data.error === 'object' && parsed.data.error.reason === 'QUOTA_EXCEEDED'
  );
}

/** What an error body says, redacted of credentials (a server may echo our request headers) and cut short. */
function describeBody(text: string, knownSecrets: readonly string[]): string {
  const parsed = errorBodySchema.safeParse(safeJson(text));
  let detail: string;
  if (!parsed.success) {
    detail = text || '(empty body)';
  } else {
    const { error, error_description: description } = parsed.data;
    if (typeof error === 'string') detail = description ? `${error}: ${description}` : error;
    else detail = error.message ?? 'no message';
  }
  return safeDetail(detail, knownSecrets, parsed.success ? MAX_DETAIL_CHARS : 120);
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
  readonly stats: CallStats;
  private readonly api: ServerAddress;
  private readonly accounts: ServerAddress;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly maxBodyBytes: number;
  private token?: { value: string; expiresAt: number };
  /**
   * Every credential this client has held (client secret, refresh tokens, access tokens, URL passwords):
   * removed from anything built from an answer, since a server may echo what we sent.
   */
  private readonly secrets = new Set<string>();

  constructor(private readonly options: SpotifyHttpOptions) {
    this.api = new ServerAddress(options.apiUrl);
    this.accounts = new ServerAddress(options.accountsUrl);
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.maxBodyBytes = options.maxBodyBytes ?? maxBodyBytesSetting(process.env);
    for (const password of [this.api.password, this.accounts.password]) this.remember(password);
    this.stats = {
      apiUrl: redactUrl(options.apiUrl, this.knownSecrets),
      accountsUrl: redactUrl(options.accountsUrl, this.knownSecrets),
      requests: 0,
      retries: 0,
      rateLimitWaits: 0,
      byEndpoint: {},
    };
  }

  private get knownSecrets(): string[] {
    return [...this.secrets];
  }

  private remember(secret: string | undefined): void {
    if (secret) this.secrets.add(secret);
  }

  /** `text` (a body, a URL, a path) fit for a message: known and recognizable secrets removed, cut short. */
  private safe(text: string): string {
    return safeDetail(text, this.knownSecrets, MAX_DETAIL_CHARS);
  }

  /** GET a Web API path (`/v1/...`, or a `next` URL Spotify returned) and validate the JSON body. */
  async getJson<T>(endpoint: Endpoint, pathOrUrl: string, schema: z.ZodMiniType<T>): Promise<T> {
    const path = this.toApiPath(endpoint, pathOrUrl);
    let response = await this.send(endpoint, 'GET', await this.apiRequest(path));
    if (response.status === 401) {
      // Tokens last an hour; one may expire mid-run. Get a fresh one once, then give up.
      this.token = undefined;
      response = await this.send(endpoint, 'GET', await this.apiRequest(path));
      if (response.status === 401) {
        throw new SpotifyAuthError(
          `Spotify rejected a freshly issued access token for ${this.safe(path)} ` +
            `(HTTP 401: ${describeBody(response.text, this.knownSecrets)}). ` +
            `Check that the app in ${this.options.credentials.describe()} is allowed to use the Web API.`,
        );
      }
    }
    if (response.status >= 400) {
      const detail = describeBody(response.text, this.knownSecrets);
      if (response.status === 403) this.throwIfAccountRefused(detail);
      throw new SpotifyRequestRefused(response.status, endpoint, this.safe(path), detail);
    }
    return this.parse(endpoint, path, response.text, schema);
  }

  /** 403s that concern the app or the token as a whole, not the resource asked for. */
  private throwIfAccountRefused(detail: string): void {
    if (/premium subscription required/i.test(detail)) {
      throw new SpotifyPremiumRequired(
        `Spotify refused the request: "${detail}". A development-mode app works only while the Spotify account ` +
          'that owns it (in the developer dashboard) has Premium. Renew Premium for that account, or move the app ' +
          'to an account that has it, then start a new execution.',
      );
    }
    if (/insufficient client scope/i.test(detail)) {
      throw new SpotifyScopeMissing(
        `Spotify refused the request: "${detail}": the refresh token in ${this.options.credentials.describe()} ` +
          'was authorized without a scope this source needs. Run `npm run spotify:authorize` again (it asks for ' +
          'the scopes of the configured sources) and store the new refresh token.',
      );
    }
  }

  private async apiRequest(path: string): Promise<SpotifyRequest> {
    return {
      url: this.api.resolve(path),
      headers: { Authorization: `Bearer ${await this.accessToken()}`, Accept: 'application/json' },
    };
  }

  /**
   * The path (with query) on the configured API server that `pathOrUrl` stands for: one of our own
   * `/v1/...` paths, or a `next` link from an answer. The rule for links, so that the access token
   * only ever goes to the configured server and a link is never silently sent somewhere else:
   * - a link on the configured API's origin (scheme, host and port): followed, its path taken
   *   relative to the configured base path when it starts with it (a proxy under `/spotify`);
   * - a link on Spotify's own `https://api.spotify.com` while SPOTIFY_API_URL is another server (a
   *   proxy or a stand-in that passes Spotify's answers through untouched): sent to the configured
   *   server instead, since Spotify's paths are the same there and the deployment chose to go through
   *   it (the token is Spotify's anyway). When SPOTIFY_API_URL is Spotify's, this is the first case;
   * - anything else (another host or port, `http:` instead of `https:`, `file:`, a URL with userinfo,
   *   something that is not a URL): InvalidSpotifyPayload, before any request. Bad data, not an outage.
   */
  private toApiPath(endpoint: Endpoint, pathOrUrl: string): string {
    if (pathOrUrl.startsWith('/') && !pathOrUrl.startsWith('//')) return pathOrUrl;
    const refuse = (why: string) =>
      new InvalidSpotifyPayload(
        `Spotify's ${endpoint} answer links to ${this.safe(redactUrl(pathOrUrl))}, ${why}; it is not followed. ` +
          'If SPOTIFY_API_URL points at a proxy, check that it passes links through on its own address.',
      );
    let url: URL;
    try {
      url = new URL(pathOrUrl);
    } catch {
      throw refuse('which is not a URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('which is not an http(s) URL');
    if (url.username || url.password) throw refuse('a URL with credentials in it');
    let path: string;
    if (url.origin === this.api.origin) {
      const { basePath } = this.api;
      path =
        basePath && url.pathname.startsWith(`${basePath}/`)
          ? url.pathname.slice(basePath.length)
          : url.pathname;
    } else if (url.origin === SPOTIFY_API_ORIGIN) {
      path = url.pathname;
    } else {
      throw refuse(`not on the configured API server ${this.api.origin}`);
    }
    return `${path}${url.search}`;
  }

  private parse<T>(endpoint: Endpoint, path: string, text: string, schema: z.ZodMiniType<T>): T {
    const json = safeJson(text);
    if (json === undefined) {
      throw new InvalidSpotifyPayload(
        `Spotify's answer to ${this.safe(path)} is not valid JSON ` +
          `(starts with ${JSON.stringify(safeDetail(text.slice(0, 200), this.knownSecrets, 60))}). ` +
          'If SPOTIFY_API_URL points at a proxy, check the proxy; otherwise retry the execution later.',
      );
    }
    const result = schema.safeParse(json);
    if (!result.success) {
      throw new InvalidSpotifyPayload(
        `Spotify's ${endpoint} payload from ${this.safe(path)} does not have the documented shape: ` +
          safeDetail(z.prettifyError(result.error), this.knownSecrets, 600),
      );
    }
    return result.data;
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now()) return this.token.value;
    let credentials = await this.options.credentials.load();
    this.rememberCredentials(credentials);
    let response = await this.requestToken(credentials);
    this.stats.authMode = credentials.mode;
    // Another invocation of the same run (a parallel source, in another container) may have just
    // rotated the token: it stores the new one before using it, so look again for a moment.
    const revoked = () =>
      response.status === 400 && /revoked/i.test(describeBody(response.text, this.knownSecrets));
    for (let look = 0; credentials.mode === 'user_token' && revoked() && look < 3; look += 1) {
      await this.sleep(200 * (look + 1));
      const fresh = await this.options.credentials.load({ fresh: true });
      if (fresh.mode !== 'user_token' || fresh.refreshToken === credentials.refreshToken) continue;
      credentials = fresh;
      this.rememberCredentials(credentials);
      response = await this.requestToken(credentials);
    }
    if (response.status >= 400) throw this.tokenRefused(credentials, response.status, response.text);
    const token = this.parse('token', '/api/token', response.text, tokenResponseSchema);
    this.remember(token.access_token);
    this.remember(token.refresh_token);
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

  private rememberCredentials(credentials: SpotifyCredentials): void {
    this.remember(credentials.mode === 'user_token' ? credentials.refreshToken : credentials.clientSecret);
  }

  /**
   * One refresh per refresh token at a time in this process: parallel sources in one container
   * share the answer instead of racing (with rotation, the second refresh would be refused).
   */
  private requestToken(credentials: SpotifyCredentials): Promise<{ status: number; text: string }> {
    if (credentials.mode !== 'user_token') return this.send('token', 'POST', this.tokenRequest(credentials));
    const key = `${this.options.accountsUrl}|${credentials.refreshToken}`;
    const pending = refreshesInFlight.get(key);
    if (pending) return pending;
    const request = this.send('token', 'POST', this.tokenRequest(credentials)).finally(() => {
      refreshesInFlight.delete(key);
    });
    refreshesInFlight.set(key, request);
    return request;
  }

  private tokenRefused(credentials: SpotifyCredentials, status: number, text: string): SpotifyAuthError {
    const detail = describeBody(text, this.knownSecrets);
    const where = this.options.credentials.describe();
    if (credentials.mode === 'client_credentials') {
      return new SpotifyAuthError(
        `Spotify's accounts service refused the client credentials (HTTP ${status}: ${detail}). ` +
          `Check the client id and secret in ${where} against the app in Spotify's developer dashboard.`,
      );
    }
    const cause = /expired/i.test(detail)
      ? 'Refresh tokens expire six months after the user authorized the app, however often they are used.'
      : /revoked/i.test(detail)
        ? "Spotify revoked it: it was replaced by a newer one (rotation), or the user removed the app's access."
        : 'It is not a refresh token Spotify knows for this client id.';
    return new SpotifyAuthError(
      `Spotify's accounts service refused the refresh token in ${where} (HTTP ${status}: ${detail}). ${cause} ` +
        'Run `npm run spotify:authorize` to authorize again and store the new refresh token it prints.',
    );
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
      const abort = new AbortController();
      try {
        response = await fetch(request.url, {
          method,
          headers: request.headers,
          ...(request.body === undefined ? {} : { body: request.body }),
          // A redirect could carry credentials to another host: treat it as an answer, never follow it.
          redirect: 'manual',
          signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), abort.signal]),
        });
        const body = await readBody(response, this.maxBodyBytes, () => abort.abort());
        text = body.text;
        if (!body.validUtf8) this.stats.invalidUtf8Answers = (this.stats.invalidUtf8Answers ?? 0) + 1;
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          throw new InvalidSpotifyPayload(
            `Spotify's ${endpoint} answer is too large: ${error.message}. ` +
              'If SPOTIFY_API_URL points at a proxy, check the proxy; otherwise retry the execution later.',
          );
        }
        lastProblem = isTimeout(error) ? `no answer within ${timeoutMs} ms` : this.safe(String(error));
        await this.backoff(attempt);
        continue;
      }

      if (response.status === 429) {
        if (isQuotaExceeded(text)) {
          throw new SpotifyQuotaExceeded(
            `Spotify answered ${endpoint} with 429 QUOTA_EXCEEDED (${describeBody(text, this.knownSecrets)}). Since July 2026 the quota ` +
              'is counted per developer account, across all of its apps: retrying soon only spends more of it, so ' +
              'this run stops here. Run less often or with fewer sources, or stop other apps of the same account; ' +
              'the next scheduled run tries again.',
          );
        }
        const retryAfterSeconds = Math.max(1, Number(response.headers.get('retry-after')) || 1);
        const waitMs = retryAfterSeconds * 1000;
        const fits = waitMs + TIME_MARGIN_MS < this.options.remainingTimeMs();
        const tooLong = retryAfterSeconds > policy.maxRetryAfterSeconds || !fits;
        if (tooLong || attempt === policy.maxAttempts) {
          const why = tooLong
            ? `longer than this invocation may wait (cap ${policy.maxRetryAfterSeconds} s)`
            : `still limited after ${policy.maxAttempts} attempts`;
          throw new SpotifyRateLimited(
            retryAfterSeconds,
            `Spotify rate-limited ${endpoint} (HTTP 429, Retry-After ${retryAfterSeconds} s), ${why}. ` +
              'The state machine retries later; if this repeats, run less often or with fewer sources.',
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
