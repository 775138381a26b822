import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keys } from '../../functions/commons/domain/keys';
import { PROJECT_ROOT } from '../../scripts/local/project-files';
import { readCsv } from '../helpers/csv';
import { runScript } from '../helpers/run-script';
import { sizedPlaylist } from '../spotify-stand-in/playlists';
import { startSpotifyStandIn } from '../spotify-stand-in/server';

/** `npm run local` as a user runs it, without any Spotify credentials from the calling shell. */
const runCli = (args: string[], env: Record<string, string>) =>
  runScript('local', args, { SPOTIFY_CLIENT_ID: '', SPOTIFY_CLIENT_SECRET: '', ...env });

describe('npm run local (CLI)', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'spotify-etl-cli-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('runs the offline sample by default and says so', async () => {
    const result = await runCli(['--date', '2026-03-15'], { LOCAL_DATA_DIR: dataDir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('offline sample data');
    for (const state of ['Extract', 'Transform', 'Load']) {
      expect(result.stdout).toContain(`▶ ${state} started`);
      expect(result.stdout).toMatch(new RegExp(`✔ ${state} finished in \\d+\\.\\d\\d s`));
    }
    expect(result.stdout).toContain('Execution SUCCEEDED');
    expect(result.stdout).toContain('50 rows written');
    const csvFile = path.join(dataDir, 'spotify-etl-local', ...keys.curatedCsv('2026-03-15').split('/'));
    expect(result.stdout).toContain(path.relative(PROJECT_ROOT, csvFile));
    expect(readCsv(csvFile).rows).toHaveLength(50);
  });

  it('calls any Spotify-compatible server given by SPOTIFY_* variables and writes what it returned', async () => {
    const server = await startSpotifyStandIn({
      clientId: 'x',
      clientSecret: 'y',
      snapshotDate: '2026-01-31',
    });
    server.options.playlists.set('myOwnPlaylist123', sizedPlaylist('myOwnPlaylist123', 120));
    try {
      const env = {
        LOCAL_DATA_DIR: dataDir,
        SPOTIFY_CLIENT_ID: 'x',
        SPOTIFY_CLIENT_SECRET: 'y',
        SPOTIFY_API_URL: server.url,
        SPOTIFY_ACCOUNTS_URL: server.url,
      };
      const result = await runCli(['--date', '2026-01-31', '--playlist', 'myOwnPlaylist123'], env);
      expect(result.code).toBe(0);
      expect(result.stdout).not.toContain('offline sample data');
      const { rows } = readCsv(
        path.join(dataDir, 'spotify-etl-local', ...keys.curatedCsv('2026-01-31').split('/')),
      );
      expect(rows).toHaveLength(120);
      expect(new Set(rows.map((row) => row.playlist_name))).toEqual(new Set(['Sample playlist of 120']));
      // token, playlist (first 100 embedded), 1 more page, 3 artist batches at most, 2 audio-feature batches
      expect(server.count('playlist_items')).toBe(1);
      expect(server.count('audio_features')).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('fails with exit code 1, the error name and cause when the execution fails', async () => {
    const server = await startSpotifyStandIn({ clientId: 'x', clientSecret: 'right' });
    try {
      const env = {
        LOCAL_DATA_DIR: dataDir,
        SPOTIFY_CLIENT_ID: 'x',
        SPOTIFY_CLIENT_SECRET: 'wrong',
        SPOTIFY_API_URL: server.url,
        SPOTIFY_ACCOUNTS_URL: server.url,
      };
      const result = await runCli(['--date', '2026-01-31'], env);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('Execution FAILED');
      expect(result.stdout).toContain('error: SpotifyAuthError');
      expect(result.stdout).toContain('environment variables SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET');
      expect(result.stdout).not.toContain('wrong');
    } finally {
      await server.close();
    }
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--date', '2026-13-01'], '--date must be a calendar date'],
    [['--date'], "Option '--date <value>' argument missing"],
    [['--playlist', 'not/an/id'], '--playlist takes a Spotify playlist id'],
  ])('rejects %j with exit code 2 and a clear message', async (args, message) => {
    const result = await runCli(args, { LOCAL_DATA_DIR: dataDir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Usage: npm run local');
  });

  it('prints help', async () => {
    const result = await runCli(['--help'], { LOCAL_DATA_DIR: dataDir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--date YYYY-MM-DD');
  });
});
