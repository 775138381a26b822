import { spawn } from 'node:child_process';
import path from 'node:path';
import { authorize } from '../../scripts/authorize/authorization-code-flow';
import { PROJECT_ROOT } from '../../scripts/local/project-files';
import { rejectionOf } from '../helpers/errors';
import { freePort } from '../helpers/free-port';
import { startLocalStack } from '../helpers/local-stack';
import { startSpotifyStandIn, type SpotifyStandIn } from '../spotify-stand-in/server';

/** The browser's part: open the authorize URL and follow Spotify's redirect to the loopback callback. */
const browser = async (url: string) => {
  const response = await fetch(url, { redirect: 'follow' });
  await response.text();
};

const SCOPES = 'user-read-recently-played user-top-read';

describe('npm run spotify:authorize (Authorization Code with PKCE)', () => {
  let spotify: SpotifyStandIn;
  let port: number;
  beforeEach(async () => {
    port = await freePort();
    // Spotify accepts only registered redirect URIs, and refuses localhost: register the loopback one.
    spotify = await startSpotifyStandIn({ registeredRedirectUris: [`http://127.0.0.1:${port}/callback`] });
  });
  afterEach(() => spotify.close());

  it('gets a refresh token the pipeline can run with', async () => {
    const { refreshToken, scope } = await authorize({
      clientId: spotify.options.clientId,
      accountsUrl: spotify.url,
      port,
      scopes: SCOPES,
      openUrl: browser,
    });
    expect(refreshToken).toMatch(/^AQ/);
    expect(scope).toContain('user-top-read');

    const stack = await startLocalStack({ snapshotDate: '2026-07-01' });
    try {
      // Tokens belong to the server that issued them: run against the same stand-in.
      const result = await stack.run({
        snapshotDate: '2026-07-01',
        sources: ['me:top-tracks:short_term', 'me:recently-played'],
        spotify: {
          apiUrl: spotify.url,
          accountsUrl: spotify.url,
          clientId: spotify.options.clientId,
          refreshToken,
        },
      });
      expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    } finally {
      await stack.close();
    }
  });

  it('is refused by Spotify for a redirect URI the app did not register', async () => {
    spotify.options.registeredRedirectUris = ['http://127.0.0.1:8888/callback'];
    const error = await rejectionOf(
      authorize({
        clientId: spotify.options.clientId,
        accountsUrl: spotify.url,
        port,
        scopes: SCOPES,
        timeoutMs: 2_000,
        openUrl: async (url) => {
          const response = await fetch(url, { redirect: 'manual' });
          expect(response.status).toBe(400);
          expect(await response.text()).toContain('Invalid redirect URI');
        },
      }),
    );
    expect(error.message).toMatch(/no answer|timed out|did not/i);
  });

  it.each([
    ['the user denies access', '?error=access_denied&state=x', 'access_denied'],
    ['the state does not match', '?code=abc&state=not-the-one', 'state did not match'],
  ])('fails clearly when %s', async (_case, callbackQuery, message) => {
    const error = await rejectionOf(
      authorize({
        clientId: spotify.options.clientId,
        accountsUrl: spotify.url,
        port,
        scopes: SCOPES,
        openUrl: async (_url, redirectUri) => {
          await fetch(`${redirectUri}${callbackQuery}`);
        },
      }),
    );
    expect(error.message).toContain(message);
  });

  it('runs as a command: prints the URL, then the refresh token and the exact SSM command', async () => {
    const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
    const child = spawn(
      tsx,
      [
        'scripts/spotify-authorize.ts',
        '--client-id',
        spotify.options.clientId,
        '--port',
        String(port),
        '--stage',
        'prod',
      ],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, SPOTIFY_ACCOUNTS_URL: spotify.url },
      },
    );
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const url = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)$/m.exec(stdout)?.[1];
        if (url) browser(url).then(resolve, reject);
      });
    });
    expect(await exited).toBe(0);
    const token = /Refresh token: (\S+)/.exec(stdout)?.[1] ?? '';
    expect(token).toMatch(/^AQ/);
    // The scopes of the default deployment's sources were asked for.
    expect(stdout).toContain('scopes: user-read-recently-played user-top-read');
    const stored =
      /--name \/spotify-etl-pipeline\/prod\/refresh-token --value '([^']+)'/.exec(stdout)?.[1] ?? '';
    const value: unknown = JSON.parse(stored);
    expect(value).toMatchObject({ refreshToken: token });
    expect(JSON.stringify(value)).toMatch(/"authorizedAt":"\d{4}-\d\d-\d\dT/);
    expect(stdout).toMatch(/expires around \d{4}-\d\d-\d\d/);
    expect(stdout).toContain('--param="spotifyAuthMode=user_token"');
  });

  it('rejects a missing client id with exit code 2', async () => {
    const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
    const child = spawn(tsx, ['scripts/spotify-authorize.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, SPOTIFY_CLIENT_ID: '' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(2);
    expect(stderr).toContain('--client-id (or SPOTIFY_CLIENT_ID) is required');
  });
});
