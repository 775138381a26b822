import { spawn } from 'node:child_process';
import path from 'node:path';
import { authorize } from '../../scripts/authorize/authorization-code-flow';
import { PROJECT_ROOT } from '../../scripts/local/project-files';
import { rejectionOf } from '../helpers/errors';
import { startLocalStack } from '../helpers/local-stack';
import { startSpotifyStandIn, type SpotifyStandIn } from '../spotify-stand-in/server';

/** The browser's part: open the authorize URL and follow Spotify's redirect to the loopback callback. */
const browser = async (url: string) => {
  const response = await fetch(url, { redirect: 'follow' });
  await response.text();
};

describe('npm run spotify:authorize (Authorization Code with PKCE)', () => {
  let spotify: SpotifyStandIn;
  beforeEach(async () => {
    spotify = await startSpotifyStandIn({ apiShape: '2026' });
  });
  afterEach(() => spotify.close());

  it('gets a refresh token the pipeline can run with', async () => {
    const { refreshToken, scope } = await authorize({
      clientId: spotify.options.clientId,
      accountsUrl: spotify.url,
      port: 0,
      openUrl: browser,
    });
    expect(refreshToken).toMatch(/^AQ/);
    expect(scope).toContain('playlist-read-private');

    const stack = await startLocalStack({ apiShape: '2026', snapshotDate: '2026-07-01' });
    try {
      // Tokens belong to the server that issued them: run against the same stand-in.
      const result = await stack.run({
        snapshotDate: '2026-07-01',
        spotify: {
          apiUrl: spotify.url,
          accountsUrl: spotify.url,
          clientId: spotify.options.clientId,
          refreshToken,
        },
      });
      expect(result.status).toBe('SUCCEEDED');
    } finally {
      await stack.close();
    }
  });

  it.each([
    ['the user denies access', '?error=access_denied&state=x', 'access_denied'],
    ['the state does not match', '?code=abc&state=not-the-one', 'state did not match'],
  ])('fails clearly when %s', async (_case, callbackQuery, message) => {
    const error = await rejectionOf(
      authorize({
        clientId: spotify.options.clientId,
        accountsUrl: spotify.url,
        port: 0,
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
        '0',
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
    expect(stdout).toContain(
      `aws ssm put-parameter --type SecureString --overwrite --name /spotify-etl-pipeline/prod/refresh-token --value '${token}'`,
    );
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
