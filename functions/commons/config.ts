import { DEFAULT_SPOTIFY_ACCOUNTS_URL, DEFAULT_SPOTIFY_API_URL } from './constants';
import { parseSources } from './domain/run';
import { splitSourceList, type SourceRef } from './domain/sources';
import { ConfigurationError, InvalidInputError } from './errors';

/**
 * Settings come from environment variables (set in serverless.yml when deployed, by the local
 * runner locally). Each reader fails with the variable's name and what a valid value looks like.
 */
type Env = NodeJS.ProcessEnv;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigurationError(`Environment variable ${name} is not set.`);
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigurationError(`Environment variable ${name} must be an integer >= ${min}, got "${raw}".`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigurationError(`Environment variable ${name} must be true or false, got "${raw}".`);
}

function url(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim() || fallback;
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)');
    return raw;
  } catch {
    throw new ConfigurationError(`Environment variable ${name} must be an http(s) URL, got "${raw}".`);
  }
}

/** The personal Top 50s: what a development-mode app can read every day (the deploy default). */
export const DEFAULT_SOURCES = 'me:top-tracks:short_term,me:top-tracks:medium_term,me:top-tracks:long_term';

/** The `sources` stage parameter (DEFAULT_SOURCES): the run's sources when the input names none. */
export function configuredSources(env: Env): SourceRef[] {
  const raw = env.DEFAULT_SOURCES?.trim() || DEFAULT_SOURCES;
  const references = splitSourceList(raw);
  if (references.length === 0) {
    throw new ConfigurationError(
      `DEFAULT_SOURCES (the sources stage parameter) lists no source: "${raw}". Give at least one, e.g. ${DEFAULT_SOURCES}.`,
    );
  }
  try {
    return parseSources(references, 'DEFAULT_SOURCES setting');
  } catch (error) {
    if (error instanceof InvalidInputError) throw new ConfigurationError(error.message);
    throw error;
  }
}

export type AuthMode = 'client_credentials' | 'user_token';

/** SPOTIFY_AUTH_MODE (deployed); local runs tell the mode by which credentials are set. */
export function authModeSetting(env: Env): AuthMode {
  if (env.SPOTIFY_CLIENT_ID?.trim())
    return env.SPOTIFY_REFRESH_TOKEN?.trim() ? 'user_token' : 'client_credentials';
  const raw = env.SPOTIFY_AUTH_MODE?.trim() || 'user_token';
  if (raw === 'client_credentials' || raw === 'user_token') return raw;
  throw new ConfigurationError(`SPOTIFY_AUTH_MODE must be client_credentials or user_token, got "${raw}".`);
}

export interface PlanConfig {
  readonly sources: SourceRef[];
  readonly authMode: AuthMode;
  readonly concurrency: number;
}

export function planConfig(env: Env): PlanConfig {
  return {
    sources: configuredSources(env),
    authMode: authModeSetting(env),
    concurrency: integer(env, 'SOURCE_CONCURRENCY', 2, 1),
  };
}

export interface StorageConfig {
  readonly bucket: string;
  /** Only for S3-compatible servers (local runs); AWS uses the regional endpoint. */
  readonly endpoint?: string;
}

export function storageConfig(env: Env): StorageConfig {
  const endpoint = env.S3_ENDPOINT?.trim();
  return { bucket: required(env, 'DATA_BUCKET'), ...(endpoint ? { endpoint } : {}) };
}

export interface SpotifyConfig {
  readonly apiUrl: string;
  readonly accountsUrl: string;
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly maxRetryDelayMs: number;
  readonly maxRetryAfterSeconds: number;
}

export function spotifyConfig(env: Env): SpotifyConfig {
  return {
    apiUrl: url(env, 'SPOTIFY_API_URL', DEFAULT_SPOTIFY_API_URL),
    accountsUrl: url(env, 'SPOTIFY_ACCOUNTS_URL', DEFAULT_SPOTIFY_ACCOUNTS_URL),
    requestTimeoutMs: integer(env, 'SPOTIFY_REQUEST_TIMEOUT_MS', 10_000, 1),
    maxAttempts: integer(env, 'SPOTIFY_MAX_ATTEMPTS', 4, 1),
    retryBaseMs: integer(env, 'SPOTIFY_RETRY_BASE_MS', 500, 0),
    maxRetryDelayMs: integer(env, 'SPOTIFY_MAX_RETRY_DELAY_MS', 8_000, 0),
    maxRetryAfterSeconds: integer(env, 'SPOTIFY_MAX_RETRY_AFTER_SECONDS', 60, 0),
  };
}

export interface LoadConfig {
  readonly neutralizeFormulas: boolean;
  /** Fewest rows a ranked source (playlist, top tracks) may yield. */
  readonly minRowsPerSource: number;
  /** Most rows any source may yield: a guard against runaway paging. */
  readonly maxRowsPerSource: number;
}

/** QUALITY_*_ROWS_PER_SOURCE; the 0.1 names QUALITY_*_ROWS_PER_PLAYLIST still work. */
export function loadConfig(env: Env): LoadConfig {
  const alias = (name: string, old: string) => (env[name]?.trim() ? name : old);
  return {
    neutralizeFormulas: flag(env, 'CSV_NEUTRALIZE_FORMULAS', true),
    minRowsPerSource: integer(
      env,
      alias('QUALITY_MIN_ROWS_PER_SOURCE', 'QUALITY_MIN_ROWS_PER_PLAYLIST'),
      1,
      0,
    ),
    maxRowsPerSource: integer(
      env,
      alias('QUALITY_MAX_ROWS_PER_SOURCE', 'QUALITY_MAX_ROWS_PER_PLAYLIST'),
      10_000,
      1,
    ),
  };
}
