import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { z } from 'zod';
import { tokenResponseSchema } from '../../functions/commons/clients/spotify/schemas';

/**
 * Spotify's Authorization Code flow with PKCE on a loopback redirect URI: the one-time step that
 * gives the pipeline a refresh token for user-token mode. No client secret is involved.
 */

export interface AuthorizationOptions {
  readonly clientId: string;
  readonly accountsUrl: string;
  /** Loopback port for the redirect URI; register http://127.0.0.1:<port>/callback with the app. */
  readonly port: number;
  /** Space-separated scopes, e.g. `user-top-read user-read-recently-played`. */
  readonly scopes: string;
  readonly timeoutMs?: number;
  /** Shows the user the URL to open (prints it; tests follow it instead). */
  readonly openUrl: (url: string, redirectUri: string) => void | Promise<void>;
}

export interface AuthorizationResult {
  readonly refreshToken: string;
  readonly scope: string;
}

export class AuthorizationFailed extends Error {
  override readonly name = 'AuthorizationFailed';
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/** RFC 7636: a high-entropy verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = base64url(randomBytes(48));
  return { verifier, challenge: base64url(createHash('sha256').update(verifier).digest()) };
}

export function authorizeUrl(
  accountsUrl: string,
  parameters: { clientId: string; redirectUri: string; challenge: string; state: string; scopes: string },
): string {
  const url = new URL('/authorize', accountsUrl);
  url.search = new URLSearchParams({
    client_id: parameters.clientId,
    response_type: 'code',
    redirect_uri: parameters.redirectUri,
    code_challenge_method: 'S256',
    code_challenge: parameters.challenge,
    state: parameters.state,
    scope: parameters.scopes,
  }).toString();
  return url.toString();
}

const callbackSchema = z.object({ code: z.string().min(1), state: z.string() });

/** Waits for the browser to come back to the loopback callback with a code, then trades it for tokens. */
export async function authorize(options: AuthorizationOptions): Promise<AuthorizationResult> {
  const { verifier, challenge } = pkcePair();
  const state = base64url(randomBytes(16));
  const { scopes } = options;

  let settle: { resolve: (code: string) => void; reject: (error: Error) => void } | undefined;
  const codeArrived = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // The browser may answer while openUrl is still running; the rejection is awaited below.
  codeArrived.catch(() => undefined);
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') {
      response.writeHead(404).end();
      return;
    }
    const query = Object.fromEntries(url.searchParams);
    const parsed = callbackSchema.safeParse(query);
    const refused = query.error;
    const problem = refused
      ? `Spotify reported "${refused}" (was access denied?)`
      : !parsed.success
        ? 'the callback had no authorization code'
        : parsed.data.state !== state
          ? 'the callback state did not match this request (possible forgery); start again'
          : undefined;
    response.writeHead(problem ? 400 : 200, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(problem ? `Authorization failed: ${problem}.` : 'Authorized. You can close this tab.');
    if (problem || !parsed.success)
      settle?.reject(new AuthorizationFailed(`Authorization failed: ${problem ?? ''}`));
    else settle?.resolve(parsed.data.code);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const redirectUri = `http://127.0.0.1:${port}/callback`;

  const timeoutMs = options.timeoutMs ?? 300_000;
  const timer = setTimeout(() => {
    settle?.reject(
      new AuthorizationFailed(`No answer from the browser within ${Math.round(timeoutMs / 1000)} s.`),
    );
  }, timeoutMs);
  try {
    await options.openUrl(
      authorizeUrl(options.accountsUrl, {
        clientId: options.clientId,
        redirectUri,
        challenge,
        state,
        scopes,
      }),
      redirectUri,
    );
    const code = await codeArrived;
    return await exchangeCode(options, { code, redirectUri, verifier });
  } finally {
    clearTimeout(timer);
    server.closeAllConnections();
    server.close();
  }
}

async function exchangeCode(
  options: AuthorizationOptions,
  grant: { code: string; redirectUri: string; verifier: string },
): Promise<AuthorizationResult> {
  const response = await fetch(new URL('/api/token', options.accountsUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: grant.code,
      redirect_uri: grant.redirectUri,
      client_id: options.clientId,
      code_verifier: grant.verifier,
    }).toString(),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new AuthorizationFailed(
      `Spotify refused the authorization code (HTTP ${response.status}: ${text.slice(0, 200)}).`,
    );
  }
  const token = tokenResponseSchema.safeParse(JSON.parse(text));
  if (!token.success || !token.data.refresh_token) {
    throw new AuthorizationFailed(
      'Spotify answered without a refresh token; check the app settings and try again.',
    );
  }
  return { refreshToken: token.data.refresh_token, scope: token.data.scope ?? '' };
}
