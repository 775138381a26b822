import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The accounts service: `GET /authorize` (Authorization Code, with or without PKCE) and
 * `POST /api/token` (client_credentials, authorization_code, refresh_token), with Spotify's 2025-2026
 * rules: no `localhost` redirect URIs, only registered ones; refresh tokens expire six months after
 * the user authorized the app, whether or not they were refreshed in between.
 */

/** The scopes the pipeline's user grant asks for. */
export const DEFAULT_USER_SCOPES = [
  'user-top-read',
  'user-read-recently-played',
  'playlist-read-private',
  'playlist-read-collaborative',
];

/** Every scope Spotify knows (OpenAPI definition, securitySchemes). */
export const KNOWN_SCOPES = new Set([
  ...DEFAULT_USER_SCOPES,
  'playlist-modify-public',
  'playlist-modify-private',
  'user-library-read',
  'user-library-modify',
  'user-read-private',
  'user-read-email',
  'user-follow-read',
  'user-follow-modify',
  'user-read-playback-position',
  'user-read-playback-state',
  'user-read-currently-playing',
  'user-modify-playback-state',
  'ugc-image-upload',
  'streaming',
]);

export const ACCESS_TOKEN_SECONDS = 3600;
const AUTHORIZATION_CODE_MS = 10 * 60_000;
const REFRESH_TOKEN_MONTHS = 6;

export interface AccountsSettings {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly now: () => Date;
  readonly rotateRefreshTokens: boolean;
  readonly registeredRedirectUris: readonly string[];
  readonly authorizeDecision: 'approve' | 'deny';
}

/** What an access token lets its bearer do. */
export interface AccessGrant {
  readonly kind: 'client' | 'user';
  readonly scopes: ReadonlySet<string>;
  readonly expiresAt: number;
}

interface RefreshGrant {
  readonly scopes: readonly string[];
  readonly authorizedAt: Date;
  /** Issued through PKCE (refreshable with client_id alone) or the secret-based flow. */
  readonly pkce: boolean;
  revoked: boolean;
}

interface AuthorizationCode {
  readonly challenge: string | null;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly issuedAt: number;
}

export type AccessCheck =
  | { readonly ok: true; readonly grant: AccessGrant }
  | { readonly ok: false; readonly status: number; readonly message: string };

const base64url = (buffer: Buffer) => buffer.toString('base64url');

function sendJson(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(JSON.stringify(body));
}

function oauthError(response: ServerResponse, status: number, error: string, description: string) {
  sendJson(response, status, { error, error_description: description });
}

/** Spotify's accounts service shows errors it cannot redirect as an HTML page. */
export function htmlPage(title: string, text: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
}

function sendHtml(response: ServerResponse, status: number, text: string) {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  response.end(htmlPage('Error', text));
}

function addMonths(date: Date, months: number): Date {
  const result = new Date(date.getTime());
  result.setUTCMonth(result.getUTCMonth() + months);
  return result;
}

/** Loopback redirect URIs must use an IP literal; `localhost` is refused (April 2025 rules). */
function redirectUriProblem(candidate: string, registered: readonly string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return 'Invalid redirect URI';
  }
  if (url.hostname === 'localhost') return 'Invalid redirect URI';
  const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol === 'http:' && !loopback) return 'Insecure redirect URI';
  if (!registered.includes(candidate)) return 'Invalid redirect URI';
  return undefined;
}

export function createAccounts(settings: () => AccountsSettings) {
  const accessTokens = new Map<string, AccessGrant>();
  const refreshTokens = new Map<string, RefreshGrant>();
  const codes = new Map<string, AuthorizationCode>();
  const issuedTokens = new Set<string>();

  function issueAccess(kind: AccessGrant['kind'], scopes: readonly string[]) {
    const token = `BQ${base64url(randomBytes(24))}`;
    const now = settings().now().getTime();
    accessTokens.set(token, { kind, scopes: new Set(scopes), expiresAt: now + ACCESS_TOKEN_SECONDS * 1000 });
    issuedTokens.add(token);
    return {
      access_token: token,
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_SECONDS,
      ...(kind === 'user' ? { scope: scopes.join(' ') } : {}),
    };
  }

  function issueRefresh(grant: Omit<RefreshGrant, 'revoked'>): string {
    const token = `AQ${base64url(randomBytes(48))}`;
    refreshTokens.set(token, { ...grant, revoked: false });
    issuedTokens.add(token);
    return token;
  }

  function clientFrom(request: IncomingMessage, form: URLSearchParams): { id?: string; secret?: string } {
    const header = request.headers.authorization ?? '';
    if (header.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon < 0 ? { id: decoded } : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
    }
    return { id: form.get('client_id') ?? undefined, secret: form.get('client_secret') ?? undefined };
  }

  function token(request: IncomingMessage, response: ServerResponse, body: string) {
    const { clientId, clientSecret, now, rotateRefreshTokens } = settings();
    const form = new URLSearchParams(body);
    const client = clientFrom(request, form);
    const grant = form.get('grant_type');
    if (client.id !== clientId) return oauthError(response, 400, 'invalid_client', 'Invalid client');
    if (client.secret !== undefined && client.secret !== clientSecret) {
      return oauthError(response, 400, 'invalid_client', 'Invalid client secret');
    }
    if (grant === 'client_credentials') {
      if (client.secret === undefined) return oauthError(response, 400, 'invalid_client', 'Invalid client');
      return sendJson(response, 200, issueAccess('client', []));
    }
    if (grant === 'authorization_code') {
      const presented = form.get('code') ?? '';
      const code = codes.get(presented);
      // Codes are single-use: a second exchange fails like an unknown one.
      codes.delete(presented);
      if (!code) return oauthError(response, 400, 'invalid_grant', 'Invalid authorization code');
      if (now().getTime() - code.issuedAt > AUTHORIZATION_CODE_MS) {
        return oauthError(response, 400, 'invalid_grant', 'Authorization code expired');
      }
      if (code.redirectUri !== form.get('redirect_uri')) {
        return oauthError(response, 400, 'invalid_grant', 'Invalid redirect URI');
      }
      if (code.challenge !== null) {
        const verifier = form.get('code_verifier') ?? '';
        if (base64url(createHash('sha256').update(verifier).digest()) !== code.challenge) {
          return oauthError(response, 400, 'invalid_grant', 'code_verifier was incorrect');
        }
      } else if (client.secret === undefined) {
        return oauthError(response, 400, 'invalid_client', 'Invalid client');
      }
      const refresh = issueRefresh({
        scopes: code.scopes,
        authorizedAt: now(),
        pkce: code.challenge !== null,
      });
      return sendJson(response, 200, { ...issueAccess('user', code.scopes), refresh_token: refresh });
    }
    if (grant === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const stored = refreshTokens.get(presented);
      if (!stored) return oauthError(response, 400, 'invalid_grant', 'Invalid refresh token');
      if (stored.revoked) return oauthError(response, 400, 'invalid_grant', 'Refresh token revoked');
      if (now().getTime() >= addMonths(stored.authorizedAt, REFRESH_TOKEN_MONTHS).getTime()) {
        return oauthError(response, 400, 'invalid_grant', 'Refresh token expired');
      }
      if (!stored.pkce && client.secret === undefined) {
        return oauthError(response, 400, 'invalid_client', 'Invalid client');
      }
      const access = issueAccess('user', stored.scopes);
      if (!rotateRefreshTokens) return sendJson(response, 200, access);
      stored.revoked = true;
      // The new token keeps the original authorization: rotating does not extend the six months.
      const rotated = issueRefresh({
        scopes: stored.scopes,
        authorizedAt: stored.authorizedAt,
        pkce: stored.pkce,
      });
      return sendJson(response, 200, { ...access, refresh_token: rotated });
    }
    if (grant === null) {
      return oauthError(response, 400, 'unsupported_grant_type', 'grant_type parameter is missing');
    }
    return oauthError(
      response,
      400,
      'unsupported_grant_type',
      'grant_type must be client_credentials, authorization_code or refresh_token',
    );
  }

  function authorize(url: URL, response: ServerResponse) {
    const { clientId, now, registeredRedirectUris, authorizeDecision } = settings();
    const query = url.searchParams;
    if (query.get('client_id') !== clientId) return sendHtml(response, 400, 'INVALID_CLIENT: Invalid client');
    const redirectUri = query.get('redirect_uri') ?? '';
    const problem = redirectUriProblem(redirectUri, registeredRedirectUris);
    if (problem) return sendHtml(response, 400, `INVALID_CLIENT: ${problem}`);

    const target = new URL(redirectUri);
    const state = query.get('state');
    const redirect = (parameters: Record<string, string>) => {
      for (const [key, value] of Object.entries(parameters)) target.searchParams.set(key, value);
      if (state !== null) target.searchParams.set('state', state);
      response.writeHead(302, { location: target.toString() });
      response.end();
    };
    if (query.get('response_type') !== 'code') return redirect({ error: 'unsupported_response_type' });
    const challenge = query.get('code_challenge');
    if (challenge !== null && query.get('code_challenge_method') !== 'S256') {
      return redirect({ error: 'invalid_request' });
    }
    const scopes = (query.get('scope') ?? '').split(/[\s+]+/).filter(Boolean);
    if (scopes.some((scope) => !KNOWN_SCOPES.has(scope))) return redirect({ error: 'invalid_scope' });
    if (authorizeDecision === 'deny') return redirect({ error: 'access_denied' });
    const code = base64url(randomBytes(32));
    codes.set(code, { challenge, redirectUri, scopes, issuedAt: now().getTime() });
    return redirect({ code });
  }

  /** What the `Authorization` header of a Web API request grants, or Spotify's refusal. */
  function checkBearer(header: string | undefined): AccessCheck {
    if (header === undefined || header === '')
      return { ok: false, status: 401, message: 'No token provided' };
    if (!header.startsWith('Bearer ')) {
      return { ok: false, status: 400, message: 'Only valid bearer authentication supported' };
    }
    const grant = accessTokens.get(header.slice(7));
    if (!grant) return { ok: false, status: 401, message: 'Invalid access token' };
    if (settings().now().getTime() >= grant.expiresAt) {
      return { ok: false, status: 401, message: 'The access token expired' };
    }
    return { ok: true, grant };
  }

  /** A refresh token as if the user had authorized the app (through PKCE) with these scopes at that time. */
  function grantRefreshToken(grant: { scopes?: string[]; authorizedAt?: Date } = {}): string {
    return issueRefresh({
      scopes: grant.scopes ?? DEFAULT_USER_SCOPES,
      authorizedAt: grant.authorizedAt ?? settings().now(),
      pkce: true,
    });
  }

  return {
    token,
    authorize,
    checkBearer,
    grantRefreshToken,
    issuedTokens: issuedTokens as ReadonlySet<string>,
  };
}
