import { SSMClient } from '@aws-sdk/client-ssm';
import { authModeSetting, spotifyConfig } from '../config';
import { ConfigurationError } from '../errors';
import {
  type CredentialsSource,
  EnvCredentialsSource,
  SsmCredentialsSource,
  type SsmParameterNames,
} from './credentials';
import { memoize } from './memoize';
import { WebApiCatalog } from './spotify/catalog';
import { SpotifyHttpClient } from './spotify/http-client';

/** Composition root for Spotify: credentials (SSM when deployed, environment locally) and the catalog. */
type Env = NodeJS.ProcessEnv;

export function credentialsSource(env: Env = process.env): CredentialsSource {
  if (env.SPOTIFY_CLIENT_ID?.trim()) return new EnvCredentialsSource(env);
  const mode = authModeSetting(env);
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
  const credentials = credentialsSource(env);
  const http = new SpotifyHttpClient({
    apiUrl: config.apiUrl,
    accountsUrl: config.accountsUrl,
    credentials,
    remainingTimeMs,
    policy: {
      requestTimeoutMs: config.requestTimeoutMs,
      maxAttempts: config.maxAttempts,
      retryBaseMs: config.retryBaseMs,
      maxRetryDelayMs: config.maxRetryDelayMs,
      maxRetryAfterSeconds: config.maxRetryAfterSeconds,
    },
  });
  return { catalog: new WebApiCatalog(http), http, config, credentials };
}
