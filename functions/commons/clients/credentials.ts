import {
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import * as z from 'zod/mini';
import '../validation';
import { ConfigurationError } from '../errors';

/** Client credentials (app-only token) or a user's refresh token (user-token mode, PKCE). */
export type SpotifyCredentials =
  | { readonly mode: 'client_credentials'; readonly clientId: string; readonly clientSecret: string }
  | {
      readonly mode: 'user_token';
      readonly clientId: string;
      readonly refreshToken: string;
      /** When the user authorized the app (ISO 8601): refresh tokens expire six months later. */
      readonly authorizedAt?: string;
    };

/**
 * A stored refresh token: the token alone (as earlier versions stored it) or, as
 * `npm run spotify:authorize` stores it now, JSON with the date of the authorization.
 */
const storedTokenSchema = z.object({
  refreshToken: z.string().check(z.minLength(1)),
  authorizedAt: z.optional(z.string()),
});
export type StoredRefreshToken = z.infer<typeof storedTokenSchema>;

export function parseStoredRefreshToken(value: string): StoredRefreshToken {
  const text = value.trim();
  if (text === '') {
    throw new ConfigurationError(
      'The stored Spotify refresh token is empty; run `npm run spotify:authorize` again.',
    );
  }
  if (!text.startsWith('{')) return { refreshToken: text };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigurationError(
      'The stored Spotify refresh token is neither a token nor valid JSON; run `npm run spotify:authorize` again.',
    );
  }
  const parsed = storedTokenSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigurationError(
      'The stored Spotify refresh token JSON lacks "refreshToken"; run `npm run spotify:authorize` again.',
    );
  }
  return parsed.data;
}

export const serializeStoredRefreshToken = (stored: StoredRefreshToken) => JSON.stringify(stored);

const MONTH_MS = 30.44 * 24 * 3600 * 1000;
/** Spotify: refresh tokens expire six months after the user's authorization (all apps since 2026-07-20). */
export const REFRESH_TOKEN_LIFETIME_MONTHS = 6;
const WARN_AFTER_MONTHS = 5;

/** A warning for every run from five months after the authorization on (empty before, or when unknown). */
export function expiryWarnings(authorizedAt: string | undefined, now: Date): string[] {
  const authorized = authorizedAt === undefined ? Number.NaN : Date.parse(authorizedAt);
  if (Number.isNaN(authorized)) return [];
  if (now.getTime() - authorized < WARN_AFTER_MONTHS * MONTH_MS) return [];
  const expires = new Date(authorized + REFRESH_TOKEN_LIFETIME_MONTHS * MONTH_MS).toISOString().slice(0, 10);
  return [
    `The Spotify authorization of ${authorizedAt?.slice(0, 10) ?? '?'} expires around ${expires} (refresh tokens ` +
      'last six months from the authorization, however often they are used). Run `npm run spotify:authorize` ' +
      'and store the new refresh token before then.',
  ];
}

export type AuthMode = SpotifyCredentials['mode'];

/** Where the Spotify credentials come from: SSM when deployed, the environment locally. */
export interface CredentialsSource {
  /** `fresh` skips any cache (a parallel invocation may have stored a rotated token). */
  load(options?: { fresh?: boolean }): Promise<SpotifyCredentials>;
  /** Human description used in error messages ("SSM parameters /a and /b"); never the values. */
  describe(): string;
  /** Spotify may rotate a refresh token when it is used; keep the new one where the old one was. */
  saveRefreshToken(refreshToken: string): Promise<void>;
  /** What the user should act on soon (an authorization about to expire). */
  warnings(now: Date): Promise<string[]>;
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

  load(options: { fresh?: boolean } = {}): Promise<SpotifyCredentials> {
    if (!options.fresh && this.cached && this.cached.expiresAt > this.now()) return this.cached.value;
    const value = this.fetch();
    this.cached = { value, expiresAt: this.now() + CACHE_TTL_MS };
    value.catch(() => (this.cached = undefined));
    return value;
  }

  async saveRefreshToken(refreshToken: string): Promise<void> {
    if (this.names.mode !== 'user_token') return;
    const current = await this.load().catch(() => undefined);
    const authorizedAt = current?.mode === 'user_token' ? current.authorizedAt : undefined;
    await this.ssm.send(
      new PutParameterCommand({
        Name: this.names.refreshToken,
        Value: serializeStoredRefreshToken({ refreshToken, ...(authorizedAt ? { authorizedAt } : {}) }),
        Type: 'SecureString',
        Overwrite: true,
      }),
    );
    this.cached = undefined;
  }

  async warnings(now: Date): Promise<string[]> {
    const credentials = await this.load().catch(() => undefined);
    return credentials?.mode === 'user_token' ? expiryWarnings(credentials.authorizedAt, now) : [];
  }

  private async fetch(): Promise<SpotifyCredentials> {
    const { names } = this;
    if (names.mode === 'user_token') {
      const [clientId, stored] = await Promise.all([
        this.read(names.clientId),
        this.read(names.refreshToken),
      ]);
      return { mode: 'user_token', clientId, ...parseStoredRefreshToken(stored) };
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

const tokenFileSchema = z.object({
  refreshToken: z.string().check(z.minLength(1)),
  origin: z.string(),
  authorizedAt: z.optional(z.string()),
});

/** Identifies the token a rotation started from without keeping it. */
const fingerprint = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Local runs: SPOTIFY_CLIENT_ID with SPOTIFY_CLIENT_SECRET (client credentials) or with
 * SPOTIFY_REFRESH_TOKEN (user-token mode). A rotated refresh token is kept in a mode-0600 file
 * (SPOTIFY_TOKEN_FILE, under the local data directory), which from then on takes precedence over
 * SPOTIFY_REFRESH_TOKEN: the token in the environment was revoked by the rotation.
 */
export class EnvCredentialsSource implements CredentialsSource {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  private get tokenFile(): string | undefined {
    return this.env.SPOTIFY_TOKEN_FILE?.trim() || undefined;
  }

  describe(): string {
    if (!this.env.SPOTIFY_REFRESH_TOKEN?.trim()) {
      return 'environment variables SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET';
    }
    return this.tokenFile
      ? `SPOTIFY_CLIENT_ID with the refresh token in ${this.tokenFile} (or SPOTIFY_REFRESH_TOKEN)`
      : 'environment variables SPOTIFY_CLIENT_ID and SPOTIFY_REFRESH_TOKEN';
  }

  /**
   * The rotated token, if it descends from the token in the environment: after the user authorizes
   * again and sets a new SPOTIFY_REFRESH_TOKEN, an older rotation's file no longer applies.
   */
  private async storedToken(fromEnv: string): Promise<StoredRefreshToken | undefined> {
    const file = this.tokenFile;
    if (!file) return undefined;
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return undefined;
    }
    const parsed = tokenFileSchema.safeParse(json);
    if (!parsed.success || parsed.data.origin !== fingerprint(fromEnv)) return undefined;
    return {
      refreshToken: parsed.data.refreshToken,
      ...(parsed.data.authorizedAt ? { authorizedAt: parsed.data.authorizedAt } : {}),
    };
  }

  async load(): Promise<SpotifyCredentials> {
    const clientId = this.env.SPOTIFY_CLIENT_ID?.trim();
    const clientSecret = this.env.SPOTIFY_CLIENT_SECRET?.trim();
    const fromEnv = this.env.SPOTIFY_REFRESH_TOKEN?.trim();
    if (!clientId) throw new ConfigurationError('SPOTIFY_CLIENT_ID is not set.');
    if (fromEnv) {
      const stored = (await this.storedToken(fromEnv)) ?? parseStoredRefreshToken(fromEnv);
      const authorizedAt = stored.authorizedAt ?? this.env.SPOTIFY_AUTHORIZED_AT?.trim();
      return {
        mode: 'user_token',
        clientId,
        refreshToken: stored.refreshToken,
        ...(authorizedAt ? { authorizedAt } : {}),
      };
    }
    if (!clientSecret) {
      throw new ConfigurationError(
        'Set SPOTIFY_CLIENT_SECRET (client credentials) or SPOTIFY_REFRESH_TOKEN (user-token mode).',
      );
    }
    return { mode: 'client_credentials', clientId, clientSecret };
  }

  async saveRefreshToken(refreshToken: string): Promise<void> {
    const file = this.tokenFile;
    if (!file) {
      throw new ConfigurationError(
        'Spotify issued a new refresh token and revoked the old one, but SPOTIFY_TOKEN_FILE is not set, so it ' +
          'cannot be kept; run `npm run spotify:authorize` again.',
      );
    }
    const current = await this.load();
    const authorizedAt = current.mode === 'user_token' ? current.authorizedAt : undefined;
    // Write-then-rename: a crash leaves the old file or the new one, never half a token.
    const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const origin = fingerprint(this.env.SPOTIFY_REFRESH_TOKEN?.trim() ?? '');
    await writeFile(
      temporary,
      JSON.stringify({ refreshToken, origin, ...(authorizedAt ? { authorizedAt } : {}) }),
      {
        mode: 0o600,
      },
    );
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  }

  async warnings(now: Date): Promise<string[]> {
    const credentials = await this.load().catch(() => undefined);
    return credentials?.mode === 'user_token' ? expiryWarnings(credentials.authorizedAt, now) : [];
  }
}
