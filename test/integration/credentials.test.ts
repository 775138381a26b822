import { readFileSync } from 'node:fs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { EnvCredentialsSource, SsmCredentialsSource } from '../../functions/commons/clients/credentials';
import { keys } from '../../functions/commons/domain/keys';
import { rejectionOf } from '../helpers/errors';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';
import { startSsmStandIn, type SsmStandIn } from '../ssm-stand-in/server';

const CLIENT_ID = '/spotify-etl-pipeline/test/client-id';
const CLIENT_SECRET = '/spotify-etl-pipeline/test/client-secret';
const REFRESH_TOKEN = '/spotify-etl-pipeline/test/refresh-token';

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

  it('stores a rotated refresh token back in its parameter', async () => {
    ssm.parameters.set(REFRESH_TOKEN, { value: 'old-token', type: 'SecureString', version: 1 });
    const source = new SsmCredentialsSource(ssmClient(ssm), {
      mode: 'user_token',
      clientId: CLIENT_ID,
      refreshToken: REFRESH_TOKEN,
    });
    await expect(source.load()).resolves.toMatchObject({ mode: 'user_token', refreshToken: 'old-token' });
    await source.saveRefreshToken('new-token');
    expect(ssm.parameters.get(REFRESH_TOKEN)).toEqual({
      value: 'new-token',
      type: 'SecureString',
      version: 2,
    });
    await expect(source.load()).resolves.toMatchObject({ refreshToken: 'new-token' });
  });
});

describe('credentials from the environment (local runs)', () => {
  it('chooses user-token mode when a refresh token is set, and explains what is missing', async () => {
    await expect(
      new EnvCredentialsSource({ SPOTIFY_CLIENT_ID: 'a', SPOTIFY_REFRESH_TOKEN: 'r' }).load(),
    ).resolves.toEqual({ mode: 'user_token', clientId: 'a', refreshToken: 'r' });
    const error = await rejectionOf(new EnvCredentialsSource({ SPOTIFY_CLIENT_ID: 'a' }).load());
    expect(error.message).toContain('SPOTIFY_CLIENT_SECRET');
  });
});

describe('user-token mode, whole execution', () => {
  let stack: LocalStack;
  let ssm: SsmStandIn;
  afterEach(async () => {
    await stack.close();
    await ssm.close();
  });

  it('exchanges the refresh token from SSM, reads a 2026 playlist and stores the rotated token', async () => {
    stack = await startLocalStack({
      apiShape: '2026',
      rotateRefreshTokens: true,
      snapshotDate: '2026-06-01',
    });
    const refreshToken = stack.spotify.grantRefreshToken();
    ssm = await startSsmStandIn({
      [CLIENT_ID]: stack.spotify.options.clientId,
      [REFRESH_TOKEN]: refreshToken,
    });
    // Deployed user-token mode: no SPOTIFY_CLIENT_ID, parameter names only, SSM at the stand-in.
    const runWithSsm = (snapshotDate: string) =>
      stack.run({
        snapshotDate,
        spotify: { apiUrl: stack.spotify.url, accountsUrl: stack.spotify.url, clientId: '' },
        env: {
          SPOTIFY_AUTH_MODE: 'user_token',
          SPOTIFY_CLIENT_ID_PARAMETER: CLIENT_ID,
          SPOTIFY_REFRESH_TOKEN_PARAMETER: REFRESH_TOKEN,
          AWS_ENDPOINT_URL_SSM: ssm.url,
        },
      });
    const result = await runWithSsm('2026-06-01');
    expect(result.status).toBe('SUCCEEDED');
    const manifest = JSON.parse(readFileSync(result.fileOf(keys.manifest('2026-06-01')), 'utf8')) as {
      spotify: { authMode: string; refreshTokenRotated: boolean };
    };
    expect(manifest.spotify).toMatchObject({ authMode: 'user_token', refreshTokenRotated: true });
    const stored = ssm.parameters.get(REFRESH_TOKEN)?.value;
    expect(stored).not.toBe(refreshToken);
    expect(ssm.calls).toContain(`PutParameter ${REFRESH_TOKEN}`);
    // The old token was revoked by the rotation; the stored one is the one that works now.
    stack.spotify.resetCounts();
    const again = await runWithSsm('2026-06-02');
    expect(again.status).toBe('SUCCEEDED');
  });
});
