import {
  DEFAULT_SPOTIFY_ACCOUNTS_URL,
  DEFAULT_SPOTIFY_API_URL,
  TOP_50_GLOBAL_PLAYLIST_ID,
} from './constants';
import { ConfigurationError } from './errors';

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

export const PLAYLIST_ID_PATTERN = /^[A-Za-z0-9]{1,64}$/;

export function playlistIdList(raw: string, source: string): string[] {
  const ids = raw
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  const invalid = ids.filter((id) => !PLAYLIST_ID_PATTERN.test(id));
  if (ids.length === 0 || invalid.length > 0) {
    throw new ConfigurationError(
      `${source} must be a comma-separated list of Spotify playlist ids (base-62), got "${raw}".`,
    );
  }
  return [...new Set(ids)];
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
  readonly defaultPlaylistIds: string[];
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
    defaultPlaylistIds: playlistIdList(
      env.DEFAULT_PLAYLIST_IDS ?? TOP_50_GLOBAL_PLAYLIST_ID,
      'DEFAULT_PLAYLIST_IDS',
    ),
    requestTimeoutMs: integer(env, 'SPOTIFY_REQUEST_TIMEOUT_MS', 10_000, 1),
    maxAttempts: integer(env, 'SPOTIFY_MAX_ATTEMPTS', 4, 1),
    retryBaseMs: integer(env, 'SPOTIFY_RETRY_BASE_MS', 500, 0),
    maxRetryDelayMs: integer(env, 'SPOTIFY_MAX_RETRY_DELAY_MS', 8_000, 0),
    maxRetryAfterSeconds: integer(env, 'SPOTIFY_MAX_RETRY_AFTER_SECONDS', 60, 0),
  };
}

export interface LoadConfig {
  readonly neutralizeFormulas: boolean;
  readonly minRowsPerPlaylist: number;
  readonly maxRowsPerPlaylist: number;
}

export function loadConfig(env: Env): LoadConfig {
  return {
    neutralizeFormulas: flag(env, 'CSV_NEUTRALIZE_FORMULAS', true),
    minRowsPerPlaylist: integer(env, 'QUALITY_MIN_ROWS_PER_PLAYLIST', 1, 0),
    maxRowsPerPlaylist: integer(env, 'QUALITY_MAX_ROWS_PER_PLAYLIST', 10_000, 1),
  };
}
