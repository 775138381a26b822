import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keys } from '../../functions/commons/domain/keys';
import {
  parseSourceRef,
  TOP_50_GLOBAL_PLAYLIST_ID,
  type SourceRef,
} from '../../functions/commons/domain/sources';
import { UsageError } from '../../scripts/cli';
import { parseCli } from '../../scripts/local/cli-options';
import { PROJECT_ROOT } from '../../scripts/local/project-files';
import { MAX_REPLAY_DAYS, parseReplayRange } from '../../scripts/local/replay-range';
import { readCsv } from '../helpers/csv';
import { runInProcess } from '../helpers/run-in-process';
import { runScript } from '../helpers/run-script';
import { sizedPlaylist } from '../spotify-stand-in/playlists';
import { startSpotifyStandIn } from '../spotify-stand-in/server';

/** No Spotify credentials from the calling shell. */
const NO_CREDENTIALS = { SPOTIFY_CLIENT_ID: '', SPOTIFY_CLIENT_SECRET: '', SPOTIFY_REFRESH_TOKEN: '' };

/** `npm run local` as a user runs it (in this process: see runInProcess). */
const runCli = (args: string[], env: Record<string, string>) =>
  runInProcess('local', args, { ...NO_CREDENTIALS, ...env });

const CHART = `playlist:${TOP_50_GLOBAL_PLAYLIST_ID}`;
const today = new Date().toISOString().slice(0, 10);
const ref = (text: string): SourceRef => {
  const parsed = parseSourceRef(text);
  if (!('ref' in parsed)) throw new Error(parsed.problem);
  return parsed;
};

describe('npm run local (CLI)', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'spotify-etl-cli-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('runs the offline sample by default: a chart, your top tracks and your plays', async () => {
    const result = await runCli(['--date', '2026-03-15'], { LOCAL_DATA_DIR: dataDir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('offline sample data');
    for (const source of [CHART, 'me:top-tracks:short_term', 'me:recently-played']) {
      for (const state of ['Extract', 'Transform', 'Load']) {
        expect(result.stdout).toContain(`▶ ${state} [${source}] started`);
        expect(result.stdout).toMatch(new RegExp(`✔ ${state} \\[${source}\\] finished in \\d+\\.\\d\\d s`));
      }
    }
    expect(result.stdout).toContain('Execution SUCCEEDED');
    expect(result.stdout).toContain('150 rows written');
    const bucket = path.join(dataDir, 'spotify-etl-local');
    const chartFile = path.join(bucket, ...keys.topTracksCsv('2026-03-15', ref(CHART)).split('/'));
    expect(result.stdout).toContain(path.relative(PROJECT_ROOT, chartFile));
    expect(readCsv(chartFile).rows).toHaveLength(50);
    const top = path.join(
      bucket,
      ...keys.topTracksCsv('2026-03-15', ref('me:top-tracks:short_term')).split('/'),
    );
    expect(readCsv(top).rows).toHaveLength(50);
    expect(readCsv(path.join(bucket, ...keys.playsCsv('2026-03-15').split('/'))).rows.length).toBeGreaterThan(
      0,
    );
  });

  it('calls any Spotify-compatible server given by SPOTIFY_* variables and writes what it returned', async () => {
    const server = await startSpotifyStandIn({ clientId: 'x', clientSecret: 'y', snapshotDate: today });
    server.options.playlists.set('myOwnPlaylist123', sizedPlaylist('myOwnPlaylist123', 120));
    try {
      const env = {
        LOCAL_DATA_DIR: dataDir,
        SPOTIFY_CLIENT_ID: 'x',
        SPOTIFY_REFRESH_TOKEN: server.grantRefreshToken(),
        SPOTIFY_API_URL: server.url,
        SPOTIFY_ACCOUNTS_URL: server.url,
      };
      const result = await runCli(['--playlist', 'myOwnPlaylist123'], env);
      expect([result.code, result.stderr]).toEqual([0, '']);
      expect(result.stdout).not.toContain('offline sample data');
      const { rows } = readCsv(
        path.join(
          dataDir,
          'spotify-etl-local',
          ...keys.topTracksCsv(today, ref('playlist:myOwnPlaylist123')).split('/'),
        ),
      );
      expect(rows).toHaveLength(120);
      expect(new Set(rows.map((row) => row.playlist_name))).toEqual(new Set(['Sample playlist of 120']));
      // Development mode: token, playlist (first 50 embedded), 2 more /items pages, and artists and
      // audio features each refused once.
      expect(server.count('playlist_items')).toBe(2);
      expect(server.count('artists')).toBe(1);
      expect(server.count('audio_features')).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('fails with exit code 1, the error name and cause when the execution fails', async () => {
    const server = await startSpotifyStandIn({
      clientId: 'x',
      clientSecret: 'right',
      mode: 'extended_quota',
    });
    try {
      const env = {
        LOCAL_DATA_DIR: dataDir,
        SPOTIFY_CLIENT_ID: 'x',
        SPOTIFY_CLIENT_SECRET: 'wrong',
        SPOTIFY_API_URL: server.url,
        SPOTIFY_ACCOUNTS_URL: server.url,
      };
      const result = await runCli(['--source', CHART], env);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('Execution FAILED');
      expect(result.stdout).toContain('error: SpotifyAuthError');
      expect(result.stdout).toContain('environment variables SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET');
      expect(result.stdout).not.toContain('wrong');
    } finally {
      await server.close();
    }
  });

  it('refuses --date with real Spotify: a real run is always labelled with today', async () => {
    const result = await runCli(['--date', '2026-01-31'], {
      LOCAL_DATA_DIR: dataDir,
      SPOTIFY_CLIENT_ID: 'x',
      SPOTIFY_CLIENT_SECRET: 'y',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--date works only with the offline sample');
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--date', '2026-13-01'], '--date must be a calendar date'],
    [['--date', '2999-01-01'], 'is in the future'],
    [['--date'], "Option '--date <value>' argument missing"],
    [['--playlist', 'not/an/id'], 'does not hold a Spotify playlist id'],
    [['--source', 'me:top-tracks:forever'], 'the time range must be one of'],
    [['--source', 'top 50'], 'A source is playlist:<id>'],
    [['--replay', '2026-03-02:2026-03-01'], '--replay 2026-03-02:2026-03-01: FROM (2026-03-02) is after TO'],
  ])('rejects %j as a usage error with a clear message', (args, message) => {
    // The flags are checked in-process (a process per case would cost a second each); the exit code
    // and the usage text of a usage error are checked once, as a user runs the command, below.
    expect(() => parseCli(args)).toThrow(UsageError);
    expect(() => parseCli(args)).toThrow(message);
  });

  it('exits with 2 and prints the usage after a bad flag', async () => {
    // In its own process: the exit code the shell sees.
    const result = await runScript('local', ['--source', 'top 50'], {
      ...NO_CREDENTIALS,
      LOCAL_DATA_DIR: dataDir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('A source is playlist:<id>');
    expect(result.stderr).toContain('Usage: npm run local');
  });

  it('prints help', async () => {
    const result = await runCli(['--help'], { LOCAL_DATA_DIR: dataDir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--date YYYY-MM-DD');
    expect(result.stdout).toContain('--source REF');
    expect(result.stdout).toContain(
      '--replay FROM[:TO]   rebuild curated data for dates from the raw archive (raw/), without calling\n' +
        '                       Spotify; use it after a fix in Transform or to add a column.',
    );
    expect(result.stdout).toContain('waits for the first (it says\nfor which PID)');
  });

  it('--replay runs an execution whose input is the replay: it asks raw/, never Spotify', async () => {
    const result = await runCli(['--replay', '2026-03-01:2026-03-02'], { LOCAL_DATA_DIR: dataDir });
    expect(result.stdout).toContain('Run: replay of 2026-03-01 to 2026-03-02 from raw/');
    expect(result.stdout).toContain('Spotify stand-in served 0 HTTP requests.');
    // An empty archive has nothing to rebuild; a pipeline without replay refuses the input's key.
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('error: InvalidInputError');
    expect(result.stdout).toMatch(/raw answers from 2026-03-01 to 2026-03-02|Unrecognized key.*replay/);
  });
});

describe('--replay FROM[:TO]', () => {
  const today = '2026-06-15';
  const problem = (value: string) => {
    try {
      parseReplayRange(value, today);
    } catch (error) {
      if (error instanceof UsageError) return error.message;
      throw error;
    }
    return undefined;
  };

  it("takes one date, or two in order up to today, for at most 31 days (the pipeline's limit per replay)", () => {
    expect(parseReplayRange('2026-01-31', today)).toEqual({ from: '2026-01-31', to: '2026-01-31' });
    expect(parseReplayRange('2026-05-16:2026-06-15', today)).toEqual({
      from: '2026-05-16',
      to: '2026-06-15',
    });
    expect(MAX_REPLAY_DAYS).toBe(31);
    expect(parseReplayRange('2024-12-01:2024-12-31', today)).toEqual({
      from: '2024-12-01',
      to: '2024-12-31',
    });
  });

  it.each([
    ['2026-02-30', 'calendar dates written YYYY-MM-DD'],
    ['2026-1-05', 'calendar dates written YYYY-MM-DD'],
    ['2026-01-01:', 'calendar dates written YYYY-MM-DD'],
    ['2026-01-01:2026-01-02:2026-01-03', 'calendar dates written YYYY-MM-DD'],
    ['2026-06-16', '2026-06-16 is in the future (today is 2026-06-15, UTC)'],
    ['2026-06-01:2026-07-01', '2026-07-01 is in the future'],
    ['2026-03-02:2026-03-01', 'FROM (2026-03-02) is after TO (2026-03-01)'],
    ['2024-01-01:2024-02-01', 'covers 32 days; replay at most 31 at a time'],
  ])('refuses %j: %s', (value, message) => {
    expect(problem(value)).toContain(message);
  });
});
