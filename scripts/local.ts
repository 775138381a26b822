/**
 * `npm run local`: runs the pipeline's state machine on this machine. Without Spotify credentials
 * it serves the bundled offline sample through the Spotify stand-in; with them it calls the API at
 * SPOTIFY_API_URL. Exit codes: 0 succeeded, 1 execution failed, 2 bad usage.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SPOTIFY_ACCOUNTS_URL, DEFAULT_SPOTIFY_API_URL } from '../functions/commons/constants';
import { PLAYLIST_ID_PATTERN } from '../functions/commons/config';
import { isSnapshotDate, utcDateOf } from '../functions/commons/domain/snapshot-date';
import { keys } from '../functions/commons/domain/keys';
import { startSpotifyStandIn, type SpotifyStandIn } from '../test/spotify-stand-in/server';
import { parseFlags, runCommand, UsageError } from './cli';
import { PROJECT_ROOT } from './local/project-files';
import { formatEvent, summarize } from './local/progress';
import {
  DEFAULT_LOCAL_BUCKET,
  resetLocalData,
  runLocalExecution,
  type SpotifyTarget,
} from './local/run-local';

const USAGE = `Usage: npm run local -- [options]

Runs the Step Functions definition in statemachines/ locally: the real Extract, Transform and
Load handlers, a local S3 server, and Spotify (or, without credentials, the offline sample).

Options:
  --date YYYY-MM-DD    snapshot date (default: today, UTC)
  --playlist ID        Spotify playlist id; repeat for several (default: Top 50 - Global)
  --reset              delete the local bucket's data before running
  --real-timings       keep the definition's Retry intervals and Wait times (default: shortened)
  --verbose            print the handlers' structured logs
  --help               show this help

Environment:
  SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET   call Spotify (or a compatible server) instead of the sample
  SPOTIFY_REFRESH_TOKEN                      user-token mode (see README "Spotify app modes")
  SPOTIFY_API_URL, SPOTIFY_ACCOUNTS_URL      servers to call (default: Spotify's)
  LOCAL_DATA_DIR                             where the bucket's files go (default: .local/)
A git-ignored .env file in the project root is read first.`;

interface CliOptions {
  snapshotDate: string;
  playlistIds?: string[];
  reset: boolean;
  realTimings: boolean;
  verbose: boolean;
}

function parseCli(argv: string[]): CliOptions | 'help' {
  const values = parseFlags(
    {
      date: { type: 'string' },
      playlist: { type: 'string', multiple: true },
      reset: { type: 'boolean', default: false },
      'real-timings': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    argv,
  );
  if (values.help) return 'help';
  const snapshotDate = values.date ?? utcDateOf(new Date());
  if (!isSnapshotDate(snapshotDate)) {
    throw new UsageError(
      `--date must be a calendar date written YYYY-MM-DD, e.g. 2026-01-31 (got "${snapshotDate}")`,
    );
  }
  const invalid = (values.playlist ?? []).filter((id) => !PLAYLIST_ID_PATTERN.test(id));
  if (invalid.length > 0) {
    throw new UsageError(
      `--playlist takes a Spotify playlist id (letters and digits), got "${invalid.join('", "')}"`,
    );
  }
  return {
    snapshotDate,
    ...(values.playlist ? { playlistIds: values.playlist } : {}),
    reset: values.reset,
    realTimings: values['real-timings'],
    verbose: values.verbose,
  };
}

async function main(): Promise<number> {
  const envFile = path.join(PROJECT_ROOT, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);

  const cli = parseCli(process.argv.slice(2));
  if (cli === 'help') {
    console.log(USAGE);
    return 0;
  }
  process.env.POWERTOOLS_LOG_LEVEL = cli.verbose ? 'INFO' : 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = cli.verbose ? 'false' : 'true';

  const dataDir = path.resolve(PROJECT_ROOT, process.env.LOCAL_DATA_DIR ?? '.local');
  if (cli.reset) {
    await resetLocalData(dataDir);
    console.log(`Reset: removed the local bucket data under ${path.relative(process.cwd(), dataDir) || '.'}`);
  }

  let standIn: SpotifyStandIn | undefined;
  let spotify: SpotifyTarget;
  const clientId = process.env.SPOTIFY_CLIENT_ID?.trim();
  if (clientId) {
    spotify = {
      apiUrl: process.env.SPOTIFY_API_URL ?? DEFAULT_SPOTIFY_API_URL,
      accountsUrl: process.env.SPOTIFY_ACCOUNTS_URL ?? DEFAULT_SPOTIFY_ACCOUNTS_URL,
      clientId,
      ...(process.env.SPOTIFY_CLIENT_SECRET ? { clientSecret: process.env.SPOTIFY_CLIENT_SECRET } : {}),
      ...(process.env.SPOTIFY_REFRESH_TOKEN ? { refreshToken: process.env.SPOTIFY_REFRESH_TOKEN } : {}),
    };
    console.log(`Spotify: ${spotify.apiUrl} (credentials from SPOTIFY_CLIENT_ID)`);
  } else {
    standIn = await startSpotifyStandIn({ snapshotDate: cli.snapshotDate });
    spotify = {
      apiUrl: standIn.url,
      accountsUrl: standIn.url,
      clientId: standIn.options.clientId,
      clientSecret: standIn.options.clientSecret,
    };
    console.log(
      'Spotify: offline sample data (the bundled Spotify stand-in; set SPOTIFY_CLIENT_ID to call Spotify)',
    );
  }

  try {
    console.log(
      `Run: snapshot date ${cli.snapshotDate}, playlists ${cli.playlistIds?.join(', ') ?? '(default)'}, ` +
        `local bucket ${DEFAULT_LOCAL_BUCKET}${cli.realTimings ? ', real retry timings' : ''}\n`,
    );
    const result = await runLocalExecution({
      snapshotDate: cli.snapshotDate,
      ...(cli.playlistIds ? { playlistIds: cli.playlistIds } : {}),
      dataDir,
      spotify,
      realTimings: cli.realTimings,
      onEvent: (event) => {
        const line = formatEvent(event);
        if (line) console.log(line);
      },
    });
    console.log(`\n${summarize(result, process.cwd(), keys)}`);
    if (standIn) console.log(`Spotify stand-in served ${standIn.count()} HTTP requests.`);
    return result.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    await standIn?.close();
  }
}

runCommand(USAGE, main);
