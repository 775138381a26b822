import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { spotifyConfig, storageConfig } from '../config';
import { ConfigurationError } from '../errors';
import {
  type AuthMode,
  type CredentialsSource,
  EnvCredentialsSource,
  SsmCredentialsSource,
  type SsmParameterNames,
} from './credentials';
import { type ObjectStore, S3ObjectStore } from './object-store';
import { WebApiCatalog } from './spotify/catalog';
import { SpotifyHttpClient } from './spotify/http-client';

/**
 * Composition root: builds the adapters from the environment. Clients live as long as the warm
 * container (and are rebuilt if the settings they depend on change, which only tests do).
 */
type Env = NodeJS.ProcessEnv;

const memo = new Map<string, unknown>();
function memoize<T>(key: string, create: () => T): T {
  if (!memo.has(key)) memo.set(key, create());
  return memo.get(key) as T;
}

export function objectStore(env: Env = process.env): ObjectStore {
  const { bucket, endpoint } = storageConfig(env);
  return memoize(`s3|${bucket}|${endpoint ?? ''}`, () => {
    const client = new S3Client(
      endpoint
        ? {
            endpoint,
            forcePathStyle: true,
            region: env.AWS_REGION ?? 'us-east-1',
            // S3-compatible servers do not all speak the newer flexible checksums.
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          }
        : {},
    );
    return new S3ObjectStore(client, bucket);
  });
}

function authMode(env: Env): AuthMode {
  const raw = env.SPOTIFY_AUTH_MODE?.trim() || 'client_credentials';
  if (raw === 'client_credentials' || raw === 'user_token') return raw;
  throw new ConfigurationError(`SPOTIFY_AUTH_MODE must be client_credentials or user_token, got "${raw}".`);
}

export function credentialsSource(env: Env = process.env): CredentialsSource {
  if (env.SPOTIFY_CLIENT_ID?.trim()) return new EnvCredentialsSource(env);
  const mode = authMode(env);
  const clientId = env.SPOTIFY_CLIENT_ID_PARAMETER?.trim();
  const secondName =
    mode === 'user_token' ? 'SPOTIFY_REFRESH_TOKEN_PARAMETER' : 'SPOTIFY_CLIENT_SECRET_PARAMETER';
  const second = env[secondName]?.trim();
  if (!clientId || !second) {
    throw new ConfigurationError(
      `No Spotify credentials configured for ${mode} mode: set SPOTIFY_CLIENT_ID_PARAMETER and ${secondName} ` +
        '(SSM parameter names) or, for local runs, SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET.',
    );
  }
  const names: SsmParameterNames =
    mode === 'user_token'
      ? { mode, clientId, refreshToken: second }
      : { mode, clientId, clientSecret: second };
  return memoize(
    `ssm|${mode}|${clientId}|${second}`,
    () => new SsmCredentialsSource(new SSMClient({}), names),
  );
}

/** A fresh catalog per invocation: its call statistics belong to one run. */
export function spotifyCatalog(remainingTimeMs: () => number, env: Env = process.env) {
  const config = spotifyConfig(env);
  const http = new SpotifyHttpClient({
    apiUrl: config.apiUrl,
    accountsUrl: config.accountsUrl,
    credentials: credentialsSource(env),
    remainingTimeMs,
    policy: {
      requestTimeoutMs: config.requestTimeoutMs,
      maxAttempts: config.maxAttempts,
      retryBaseMs: config.retryBaseMs,
      maxRetryDelayMs: config.maxRetryDelayMs,
      maxRetryAfterSeconds: config.maxRetryAfterSeconds,
    },
  });
  return { catalog: new WebApiCatalog(http), http, config };
}
