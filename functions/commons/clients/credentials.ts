import {
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { ConfigurationError } from '../errors';

/** Client credentials (app-only token) or a user's refresh token (user-token mode, PKCE). */
export type SpotifyCredentials =
  | { readonly mode: 'client_credentials'; readonly clientId: string; readonly clientSecret: string }
  | { readonly mode: 'user_token'; readonly clientId: string; readonly refreshToken: string };

export type AuthMode = SpotifyCredentials['mode'];

/** Where the Spotify credentials come from: SSM when deployed, the environment locally. */
export interface CredentialsSource {
  load(): Promise<SpotifyCredentials>;
  /** Human description used in error messages ("SSM parameters /a and /b"); never the values. */
  describe(): string;
  /** Spotify may rotate a refresh token when it is used; keep the new one where the old one was. */
  saveRefreshToken(refreshToken: string): Promise<void>;
}

export type SsmParameterNames =
  | { readonly mode: 'client_credentials'; readonly clientId: string; readonly clientSecret: string }
  | { readonly mode: 'user_token'; readonly clientId: string; readonly refreshToken: string };

const CACHE_TTL_MS = 15 * 60 * 1000;

/** Reads SecureString parameters once per warm container (15 min TTL) so a rotation is picked up. */
export class SsmCredentialsSource implements CredentialsSource {
  private cached?: { value: Promise<SpotifyCredentials>; expiresAt: number };

  constructor(
    private readonly ssm: SSMClient,
    private readonly names: SsmParameterNames,
    private readonly now: () => number = Date.now,
  ) {}

  describe(): string {
    const second = this.names.mode === 'user_token' ? this.names.refreshToken : this.names.clientSecret;
    return `SSM parameters ${this.names.clientId} and ${second}`;
  }

  load(): Promise<SpotifyCredentials> {
    if (this.cached && this.cached.expiresAt > this.now()) return this.cached.value;
    const value = this.fetch();
    this.cached = { value, expiresAt: this.now() + CACHE_TTL_MS };
    value.catch(() => (this.cached = undefined));
    return value;
  }

  async saveRefreshToken(refreshToken: string): Promise<void> {
    if (this.names.mode !== 'user_token') return;
    await this.ssm.send(
      new PutParameterCommand({
        Name: this.names.refreshToken,
        Value: refreshToken,
        Type: 'SecureString',
        Overwrite: true,
      }),
    );
    this.cached = undefined;
  }

  private async fetch(): Promise<SpotifyCredentials> {
    const { names } = this;
    if (names.mode === 'user_token') {
      const [clientId, refreshToken] = await Promise.all([
        this.read(names.clientId),
        this.read(names.refreshToken),
      ]);
      return { mode: 'user_token', clientId, refreshToken };
    }
    const [clientId, clientSecret] = await Promise.all([
      this.read(names.clientId),
      this.read(names.clientSecret),
    ]);
    return { mode: 'client_credentials', clientId, clientSecret };
  }

  private async read(name: string): Promise<string> {
    try {
      const { Parameter } = await this.ssm.send(
        new GetParameterCommand({ Name: name, WithDecryption: true }),
      );
      const value = Parameter?.Value?.trim();
      if (!value)
        throw new ConfigurationError(`SSM parameter ${name} is empty. Store the value again (see README).`);
      return value;
    } catch (error) {
      if (error instanceof ParameterNotFound) {
        throw new ConfigurationError(
          `SSM parameter ${name} does not exist in this account and region. Create it with: ` +
            `aws ssm put-parameter --type SecureString --name ${name} --value '<value>'`,
        );
      }
      throw error;
    }
  }
}

/**
 * Local runs: SPOTIFY_CLIENT_ID with SPOTIFY_CLIENT_SECRET (client credentials) or with
 * SPOTIFY_REFRESH_TOKEN (user-token mode).
 */
export class EnvCredentialsSource implements CredentialsSource {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly warn: (message: string) => void = (message) => {
      console.warn(message);
    },
  ) {}

  describe(): string {
    return this.env.SPOTIFY_REFRESH_TOKEN?.trim()
      ? 'environment variables SPOTIFY_CLIENT_ID and SPOTIFY_REFRESH_TOKEN'
      : 'environment variables SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET';
  }

  load(): Promise<SpotifyCredentials> {
    const clientId = this.env.SPOTIFY_CLIENT_ID?.trim();
    const clientSecret = this.env.SPOTIFY_CLIENT_SECRET?.trim();
    const refreshToken = this.env.SPOTIFY_REFRESH_TOKEN?.trim();
    if (!clientId) return Promise.reject(new ConfigurationError('SPOTIFY_CLIENT_ID is not set.'));
    if (refreshToken) return Promise.resolve({ mode: 'user_token', clientId, refreshToken });
    if (!clientSecret) {
      return Promise.reject(
        new ConfigurationError(
          'Set SPOTIFY_CLIENT_SECRET (client credentials) or SPOTIFY_REFRESH_TOKEN (user-token mode).',
        ),
      );
    }
    return Promise.resolve({ mode: 'client_credentials', clientId, clientSecret });
  }

  saveRefreshToken(): Promise<void> {
    this.warn(
      'Spotify issued a new refresh token; run `npm run spotify:authorize` again before the old one stops working.',
    );
    return Promise.resolve();
  }
}
