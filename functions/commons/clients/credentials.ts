import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import { ConfigurationError } from '../errors';

export interface SpotifyCredentials {
  readonly clientId: string;
  /** Absent only for a PKCE (public) user-token set-up. */
  readonly clientSecret?: string;
  /** Present in user-token mode: exchanged for access tokens instead of client credentials. */
  readonly refreshToken?: string;
}

/** Where the Spotify credentials come from: SSM when deployed, the environment locally. */
export interface CredentialsSource {
  load(): Promise<SpotifyCredentials>;
  /** Human description used in error messages ("SSM parameters /a and /b"); never the values. */
  describe(): string;
}

export interface SsmParameterNames {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken?: string;
}

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
    const names = [this.names.clientId, this.names.clientSecret, this.names.refreshToken].filter(Boolean);
    return `SSM parameters ${names.join(', ')}`;
  }

  load(): Promise<SpotifyCredentials> {
    if (this.cached && this.cached.expiresAt > this.now()) return this.cached.value;
    const value = this.fetch();
    this.cached = { value, expiresAt: this.now() + CACHE_TTL_MS };
    value.catch(() => (this.cached = undefined));
    return value;
  }

  private async fetch(): Promise<SpotifyCredentials> {
    const [clientId, clientSecret, refreshToken] = await Promise.all([
      this.read(this.names.clientId),
      this.read(this.names.clientSecret),
      this.names.refreshToken ? this.read(this.names.refreshToken) : Promise.resolve(undefined),
    ]);
    return { clientId, clientSecret, ...(refreshToken ? { refreshToken } : {}) };
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

/** Local runs: SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET (/ SPOTIFY_REFRESH_TOKEN) from the environment. */
export class EnvCredentialsSource implements CredentialsSource {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  describe(): string {
    return 'environment variables SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET';
  }

  load(): Promise<SpotifyCredentials> {
    const clientId = this.env.SPOTIFY_CLIENT_ID?.trim();
    const clientSecret = this.env.SPOTIFY_CLIENT_SECRET?.trim();
    const refreshToken = this.env.SPOTIFY_REFRESH_TOKEN?.trim();
    if (!clientId) return Promise.reject(new ConfigurationError('SPOTIFY_CLIENT_ID is not set.'));
    if (!clientSecret && !refreshToken) {
      return Promise.reject(
        new ConfigurationError(
          'SPOTIFY_CLIENT_SECRET is not set (it is required unless SPOTIFY_REFRESH_TOKEN is).',
        ),
      );
    }
    return Promise.resolve({
      clientId,
      ...(clientSecret ? { clientSecret } : {}),
      ...(refreshToken ? { refreshToken } : {}),
    });
  }
}
