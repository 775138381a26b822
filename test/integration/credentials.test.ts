import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { EnvCredentialsSource, SsmCredentialsSource } from '../../functions/commons/clients/credentials';
import { rejectionOf } from '../helpers/errors';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';
import { startSsmStandIn, type SsmStandIn } from '../ssm-stand-in/server';
import { manifestOf, onlySource } from './faults-support';

const CLIENT_ID = '/spotify-etl-pipeline/test/client-id';
const CLIENT_SECRET = '/spotify-etl-pipeline/test/client-secret';
const REFRESH_TOKEN = '/spotify-etl-pipeline/test/refresh-token';

const storedTokenSchema = z.strictObject({ refreshToken: z.string(), authorizedAt: z.optional(z.string()) });
const tokenFileSchema = z.strictObject({
  refreshToken: z.string(),
  origin: z.string(),
  authorizedAt: z.optional(z.string()),
});
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function ssmClient(ssm: SsmStandIn) {
  return new SSMClient({
    endpoint: ssm.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

describe('credentials from SSM Parameter Store (real SSM client, local SSM stand-in)', () => {
  let ssm: SsmStandIn;
  beforeEach(async () => {
    ssm = await startSsmStandIn({ [CLIENT_ID]: 'my-client', [CLIENT_SECRET]: 'my-secret' });
  });
  afterEach(() => ssm.close());

  const userTokenSource = (now?: () => number) =>
    new SsmCredentialsSource(
      ssmClient(ssm),
      { mode: 'user_token', clientId: CLIENT_ID, refreshToken: REFRESH_TOKEN },
      now,
    );
  const storeToken = (value: string) =>
    ssm.parameters.set(REFRESH_TOKEN, { value, type: 'SecureString', version: 1 });

  it('reads client credentials once and serves warm invocations from the cache', async () => {
    const source = new SsmCredentialsSource(ssmClient(ssm), {
      mode: 'client_credentials',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    });
    await expect(source.load()).resolves.toEqual({
      mode: 'client_credentials',
      clientId: 'my-client',
      clientSecret: 'my-secret',
    });
    await source.load();
    expect(ssm.calls.sort()).toEqual([`GetParameter ${CLIENT_ID}`, `GetParameter ${CLIENT_SECRET}`]);
    expect(source.describe()).toBe(`SSM parameters ${CLIENT_ID} and ${CLIENT_SECRET}`);
    await expect(source.warnings(new Date())).resolves.toEqual([]);
  });

  it('names a missing parameter and the command that creates it', async () => {
    ssm.parameters.delete(CLIENT_SECRET);
    const source = new SsmCredentialsSource(ssmClient(ssm), {
      mode: 'client_credentials',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    });
    const error = await rejectionOf(source.load());
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toContain(`aws ssm put-parameter --type SecureString --name ${CLIENT_SECRET}`);
  });

  it('reads a refresh token stored plain (as earlier versions did) or as JSON with its authorization date', async () => {
    storeToken('plain-token');
    await expect(userTokenSource().load()).resolves.toEqual({
      mode: 'user_token',
      clientId: 'my-client',
      refreshToken: 'plain-token',
    });
    storeToken(JSON.stringify({ refreshToken: 'json-token', authorizedAt: '2026-01-10T08:00:00.000Z' }));
    await expect(userTokenSource().load()).resolves.toEqual({
      mode: 'user_token',
      clientId: 'my-client',
      refreshToken: 'json-token',
      authorizedAt: '2026-01-10T08:00:00.000Z',
    });
    storeToken('{"refreshToken": ');
    const error = await rejectionOf(userTokenSource().load());
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toContain('npm run spotify:authorize');
    expect(error.message).not.toContain('refreshToken": ');
  });

  it('stores a rotated refresh token back in its parameter as JSON, keeping the authorization date', async () => {
    storeToken(JSON.stringify({ refreshToken: 'old-token', authorizedAt: '2026-01-10T08:00:00.000Z' }));
    const source = userTokenSource();
    await expect(source.load()).resolves.toMatchObject({ refreshToken: 'old-token' });
    await source.saveRefreshToken('new-token');
    const stored = ssm.parameters.get(REFRESH_TOKEN);
    expect(stored).toMatchObject({ type: 'SecureString', version: 2 });
    expect(storedTokenSchema.parse(JSON.parse(stored?.value ?? ''))).toEqual({
      refreshToken: 'new-token',
      authorizedAt: '2026-01-10T08:00:00.000Z',
    });
    // The cache is dropped: the next load reads the new token.
    await expect(source.load()).resolves.toMatchObject({
      refreshToken: 'new-token',
      authorizedAt: '2026-01-10T08:00:00.000Z',
    });
  });

  it('rotating a plain token stores JSON without inventing an authorization date', async () => {
    storeToken('old-token');
    const source = userTokenSource();
    await source.saveRefreshToken('new-token');
    expect(storedTokenSchema.parse(JSON.parse(ssm.parameters.get(REFRESH_TOKEN)?.value ?? ''))).toEqual({
      refreshToken: 'new-token',
    });
  });

  it('a fresh load skips the cache, so a token another invocation stored is found', async () => {
    storeToken('first');
    const source = userTokenSource();
    await source.load();
    storeToken('rotated-elsewhere');
    await expect(source.load()).resolves.toMatchObject({ refreshToken: 'first' });
    await expect(source.load({ fresh: true })).resolves.toMatchObject({ refreshToken: 'rotated-elsewhere' });
  });

  it('re-reads the parameters once the 15-minute cache has expired', async () => {
    storeToken('first');
    let clock = 0;
    const source = userTokenSource(() => clock);
    await source.load();
    storeToken('second');
    clock = 14 * 60_000;
    await expect(source.load()).resolves.toMatchObject({ refreshToken: 'first' });
    clock = 16 * 60_000;
    await expect(source.load()).resolves.toMatchObject({ refreshToken: 'second' });
  });

  it('warns from five months after the authorization, naming the expiry and the command', async () => {
    storeToken(JSON.stringify({ refreshToken: 't', authorizedAt: '2026-01-10T08:00:00.000Z' }));
    const source = userTokenSource();
    await expect(source.warnings(new Date('2026-06-01T00:00:00Z'))).resolves.toEqual([]);
    const [warning, ...more] = await source.warnings(new Date('2026-06-20T00:00:00Z'));
    expect(more).toEqual([]);
    expect(warning).toContain('authorization of 2026-01-10 expires around 2026-07-1');
    expect(warning).toContain('npm run spotify:authorize');
    storeToken('plain-token');
    await expect(userTokenSource().warnings(new Date('2030-01-01T00:00:00Z'))).resolves.toEqual([]);
  });
});

describe('credentials from the environment (local runs)', () => {
  let dir: string;
  let tokenFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spotify-credentials-'));
    tokenFile = path.join(dir, 'spotify-token.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const env = (refreshToken: string, extra: Record<string, string> = {}) =>
    new EnvCredentialsSource({
      SPOTIFY_CLIENT_ID: 'a',
      SPOTIFY_REFRESH_TOKEN: refreshToken,
      SPOTIFY_TOKEN_FILE: tokenFile,
      ...extra,
    });

  it('chooses user-token mode when a refresh token is set, and explains what is missing', async () => {
    await expect(
      new EnvCredentialsSource({ SPOTIFY_CLIENT_ID: 'a', SPOTIFY_REFRESH_TOKEN: 'r' }).load(),
    ).resolves.toEqual({ mode: 'user_token', clientId: 'a', refreshToken: 'r' });
    const error = await rejectionOf(new EnvCredentialsSource({ SPOTIFY_CLIENT_ID: 'a' }).load());
    expect(error.message).toContain('SPOTIFY_CLIENT_SECRET');
    const noId = await rejectionOf(new EnvCredentialsSource({ SPOTIFY_CLIENT_SECRET: 's' }).load());
    expect(noId.message).toContain('SPOTIFY_CLIENT_ID');
  });

  it('keeps a rotated token in a mode-0600 file that names the token it descends from, not the token itself', async () => {
    const source = env('env-token', { SPOTIFY_AUTHORIZED_AT: '2026-01-10T08:00:00.000Z' });
    await source.saveRefreshToken('rotated-1');
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    const text = await readFile(tokenFile, 'utf8');
    expect(text).not.toContain('env-token');
    expect(tokenFileSchema.parse(JSON.parse(text))).toEqual({
      refreshToken: 'rotated-1',
      origin: sha256('env-token'),
      authorizedAt: '2026-01-10T08:00:00.000Z',
    });
    // From then on the file takes precedence over the (revoked) token in the environment...
    await expect(env('env-token').load()).resolves.toEqual({
      mode: 'user_token',
      clientId: 'a',
      refreshToken: 'rotated-1',
      authorizedAt: '2026-01-10T08:00:00.000Z',
    });
    // ...and a second rotation still descends from the token in the environment.
    await env('env-token').saveRefreshToken('rotated-2');
    await expect(env('env-token').load()).resolves.toMatchObject({ refreshToken: 'rotated-2' });
    expect(source.describe()).toContain(tokenFile);
  });

  it('ignores the file once SPOTIFY_REFRESH_TOKEN is a new authorization, and when the file is damaged', async () => {
    await env('env-token').saveRefreshToken('rotated-1');
    await expect(env('reauthorized-token').load()).resolves.toEqual({
      mode: 'user_token',
      clientId: 'a',
      refreshToken: 'reauthorized-token',
    });
    await writeFile(tokenFile, '{"refreshToken": "cut', { mode: 0o600 });
    await expect(env('env-token').load()).resolves.toMatchObject({ refreshToken: 'env-token' });
    await writeFile(tokenFile, JSON.stringify({ refreshToken: 'no-origin' }), { mode: 0o600 });
    await expect(env('env-token').load()).resolves.toMatchObject({ refreshToken: 'env-token' });
  });

  it('reads a JSON token in SPOTIFY_REFRESH_TOKEN, as `npm run spotify:authorize` prints it', async () => {
    const printed = JSON.stringify({ refreshToken: 'json-token', authorizedAt: '2026-01-10T08:00:00.000Z' });
    await expect(env(printed).load()).resolves.toEqual({
      mode: 'user_token',
      clientId: 'a',
      refreshToken: 'json-token',
      authorizedAt: '2026-01-10T08:00:00.000Z',
    });
    await expect(env(printed).warnings(new Date('2026-06-20T00:00:00Z'))).resolves.toEqual([
      expect.stringContaining('expires around'),
    ]);
  });

  it('cannot keep a rotated token without SPOTIFY_TOKEN_FILE, and says what to do', async () => {
    const source = new EnvCredentialsSource({ SPOTIFY_CLIENT_ID: 'a', SPOTIFY_REFRESH_TOKEN: 'r' });
    const error = await rejectionOf(source.saveRefreshToken('rotated'));
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toContain('SPOTIFY_TOKEN_FILE');
    expect(error.message).toContain('npm run spotify:authorize');
  });
});

describe('user-token mode, whole executions', () => {
  const DAY = '2026-06-20';
  let stack: LocalStack;
  let ssm: SsmStandIn | undefined;
  beforeEach(async () => {
    stack = await startLocalStack({
      rotateRefreshTokens: true,
      snapshotDate: DAY,
      now: () => new Date(`${DAY}T06:00:00Z`),
    });
  });
  afterEach(async () => {
    await stack.close();
    await ssm?.close();
    ssm = undefined;
  });

  /**
   * Deployed user-token mode: no SPOTIFY_CLIENT_ID, parameter names only, SSM at the stand-in. Each
   * test names its own parameters: a warm container keeps its SSM client per parameter names.
   */
  async function withSsm(stage: string, stored: string) {
    const names = {
      clientId: `/spotify-etl-pipeline/${stage}/client-id`,
      refreshToken: `/spotify-etl-pipeline/${stage}/refresh-token`,
    };
    const started = await startSsmStandIn({
      [names.clientId]: stack.spotify.options.clientId,
      [names.refreshToken]: stored,
    });
    ssm = started;
    const run = () =>
      stack.run({
        snapshotDate: DAY,
        sources: ['me:top-tracks:short_term'],
        spotify: { apiUrl: stack.spotify.url, accountsUrl: stack.spotify.url, clientId: '' },
        env: {
          SPOTIFY_AUTH_MODE: 'user_token',
          SPOTIFY_CLIENT_ID_PARAMETER: names.clientId,
          SPOTIFY_REFRESH_TOKEN_PARAMETER: names.refreshToken,
          AWS_ENDPOINT_URL_SSM: started.url,
        },
      });
    const storedToken = () =>
      storedTokenSchema.parse(JSON.parse(started.parameters.get(names.refreshToken)?.value ?? ''));
    return { ssm: started, names, run, storedToken };
  }

  it('exchanges the refresh token from SSM, stores the rotated one as JSON with authorizedAt, and the next run uses it', async () => {
    const authorizedAt = '2026-05-20T09:00:00.000Z';
    const refreshToken = stack.spotify.grantRefreshToken({ authorizedAt: new Date(authorizedAt) });
    const {
      ssm: store,
      names,
      run,
      storedToken,
    } = await withSsm('rotation', JSON.stringify({ refreshToken, authorizedAt }));
    const result = await run();
    expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    expect(onlySource(result).spotify).toMatchObject({ authMode: 'user_token', refreshTokenRotated: true });
    const rotated = storedToken();
    expect(rotated.refreshToken).not.toBe(refreshToken);
    expect(rotated.authorizedAt).toBe(authorizedAt);
    expect(store.calls).toContain(`PutParameter ${names.refreshToken}`);
    expect(manifestOf(result).warnings).toEqual([]);

    // The old token was revoked by the rotation; the stored one is the one that works now.
    const again = await run();
    expect([again.status, again.cause]).toEqual(['SUCCEEDED', undefined]);
    expect(storedToken().refreshToken).not.toBe(rotated.refreshToken);
    expect(storedToken().authorizedAt).toBe(authorizedAt);
  });

  it('an authorization over five months old: the run succeeds, warns in the manifest and alerts once a day', async () => {
    const authorizedAt = '2026-01-10T08:00:00.000Z';
    const refreshToken = stack.spotify.grantRefreshToken({ authorizedAt: new Date(authorizedAt) });
    const { run } = await withSsm('ageing', JSON.stringify({ refreshToken, authorizedAt }));
    const first = await run();
    expect([first.status, first.cause]).toEqual(['SUCCEEDED', undefined]);
    expect(manifestOf(first).warnings).toEqual([
      expect.stringContaining('authorization of 2026-01-10 expires'),
    ]);
    expect(first.notifications.map((notification) => notification.state)).toEqual(['NotifyWarning']);
    const second = await run();
    expect(second.status).toBe('SUCCEEDED');
    expect(manifestOf(second).warnings).toHaveLength(1);
    expect(second.notifications).toEqual([]);
  });

  it('locally, keeps the rotated token in the data dir (0600) and starts over from a new SPOTIFY_REFRESH_TOKEN', async () => {
    const tokenFile = path.join(stack.dataDir, 'spotify-token.json');
    const sources = ['me:top-tracks:short_term'];
    const token = stack.spotify.grantRefreshToken();
    const first = await stack.runAsUser(token, { snapshotDate: DAY, sources });
    expect([first.status, first.cause]).toEqual(['SUCCEEDED', undefined]);
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    const kept = tokenFileSchema.parse(JSON.parse(await readFile(tokenFile, 'utf8')));
    expect(kept.origin).toBe(sha256(token));
    expect(kept.refreshToken).not.toBe(token);

    // The environment still holds the revoked token: the file is what works.
    const second = await stack.runAsUser(token, { snapshotDate: DAY, sources });
    expect([second.status, second.cause]).toEqual(['SUCCEEDED', undefined]);

    // The user authorizes again, and the old chain is revoked (someone used the file's token): the
    // new token is used, not the file of the old one.
    const reauthorized = stack.spotify.grantRefreshToken();
    const old = tokenFileSchema.parse(JSON.parse(await readFile(tokenFile, 'utf8'))).refreshToken;
    await fetch(`${stack.spotify.url}/api/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: old,
        client_id: stack.spotify.options.clientId,
      }).toString(),
    });
    stack.spotify.resetCounts();
    const third = await stack.runAsUser(reauthorized, { snapshotDate: DAY, sources });
    expect([third.status, third.cause]).toEqual(['SUCCEEDED', undefined]);
    expect(stack.spotify.requests.filter((request) => request.endpoint === 'token')).toHaveLength(1);
    expect(tokenFileSchema.parse(JSON.parse(await readFile(tokenFile, 'utf8'))).origin).toBe(
      sha256(reauthorized),
    );
  });
});
