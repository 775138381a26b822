/**
 * `npm run local`: runs the pipeline's state machine on this machine. Without Spotify credentials
 * it serves the bundled offline sample through the Spotify stand-in; with them it calls the API at
 * SPOTIFY_API_URL. Exit codes: 0 succeeded, 1 execution failed, 2 bad usage.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SPOTIFY_ACCOUNTS_URL, DEFAULT_SPOTIFY_API_URL } from '../functions/commons/constants';
import { isSnapshotDate, utcDateOf } from '../functions/commons/domain/snapshot-date';
import {
  isSourceRef,
  parseSourceRef,
  SOURCE_REFERENCE_HELP,
  TOP_50_GLOBAL_PLAYLIST_ID,
} from '../functions/commons/domain/sources';
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

/** The offline sample shows every dataset: a chart, a personal Top 50 and a play history. */
const SAMPLE_SOURCES = [
  `playlist:${TOP_50_GLOBAL_PLAYLIST_ID}`,
  'me:top-tracks:short_term',
  'me:recently-played',
];

const USAGE = `Usage: npm run local -- [options]

Runs the Step Functions definition in statemachines/ locally: the real Plan, Extract, Transform,
Load and Finalize handlers, a local S3 server, and Spotify (or, without credentials, the offline
sample: a chart playlist, your top tracks and your recent plays, as an extended-quota app sees them).

Options:
  --source REF         a source; repeat for several. ${SOURCE_REFERENCE_HELP.replace('A source is ', 'One of ')}
                       (default: the sample's three sources offline; DEFAULT_SOURCES or your top
                       tracks with credentials)
  --playlist ID        shorthand for --source playlist:ID
  --date YYYY-MM-DD    offline sample only: run as if it were that day (default: today, UTC)
  --reset              delete the local bucket's data before running
  --real-timings       keep the definition's Retry intervals and Wait times (default: shortened)
  --verbose            print the handlers' structured logs
  --help               show this help

Environment:
  SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET   call Spotify (or a compatible server) instead of the sample
  SPOTIFY_REFRESH_TOKEN                      user-token mode (see README "Spotify app modes"); a
                                             rotated token is kept in <data dir>/spotify-token.json
  DEFAULT_SOURCES                            comma-separated sources when no --source is given
  SPOTIFY_API_URL, SPOTIFY_ACCOUNTS_URL      servers to call (default: Spotify's)
  LOCAL_DATA_DIR                             where the bucket's files go (default: .local/)
A git-ignored .env file in the project root is read first.`;

interface CliOptions {
  snapshotDate?: string;
  sources?: string[];
  reset: boolean;
  realTimings: boolean;
  verbose: boolean;
}

function parseCli(argv: string[]): CliOptions | 'help' {
  const values = parseFlags(
    {
      date: { type: 'string' },
      source: { type: 'string', multiple: true },
      playlist: { type: 'string', multiple: true },
      reset: { type: 'boolean', default: false },
      'real-timings': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    argv,
  );
  if (values.help) return 'help';
  const snapshotDate = values.date;
  if (snapshotDate !== undefined) {
    if (!isSnapshotDate(snapshotDate)) {
      throw new UsageError(
        `--date must be a calendar date written YYYY-MM-DD, e.g. 2026-01-31 (got "${snapshotDate}")`,
      );
    }
    if (snapshotDate > utcDateOf(new Date())) {
      throw new UsageError(
        `--date ${snapshotDate} is in the future; Spotify cannot tell what it will say then`,
      );
    }
  }
  const references = [...(values.source ?? []), ...(values.playlist ?? []).map((id) => `playlist:${id}`)];
  const problems = references
    .map(parseSourceRef)
    .flatMap((parsed) => (isSourceRef(parsed) ? [] : [parsed.problem]));
  if (problems.length > 0) throw new UsageError(`${problems.join('; ')}. ${SOURCE_REFERENCE_HELP}`);
  return {
    ...(snapshotDate ? { snapshotDate } : {}),
    ...(references.length > 0 ? { sources: references } : {}),
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
  let sources = cli.sources;
  const clientId = process.env.SPOTIFY_CLIENT_ID?.trim();
  if (clientId) {
    const today = utcDateOf(new Date());
    if (cli.snapshotDate !== undefined && cli.snapshotDate !== today) {
      throw new UsageError(
        `--date works only with the offline sample: Spotify tells what it says today (${today}), so a real run is always labelled with today`,
      );
    }
    spotify = {
      apiUrl: process.env.SPOTIFY_API_URL ?? DEFAULT_SPOTIFY_API_URL,
      accountsUrl: process.env.SPOTIFY_ACCOUNTS_URL ?? DEFAULT_SPOTIFY_ACCOUNTS_URL,
      clientId,
      ...(process.env.SPOTIFY_CLIENT_SECRET ? { clientSecret: process.env.SPOTIFY_CLIENT_SECRET } : {}),
      ...(process.env.SPOTIFY_REFRESH_TOKEN ? { refreshToken: process.env.SPOTIFY_REFRESH_TOKEN } : {}),
    };
    console.log(`Spotify: ${spotify.apiUrl} (credentials from SPOTIFY_CLIENT_ID)`);
  } else {
    const snapshotDate = cli.snapshotDate ?? utcDateOf(new Date());
    // The sample plays the part of an extended-quota app, so that every dataset has data to show.
    standIn = await startSpotifyStandIn({
      mode: 'extended_quota',
      snapshotDate,
      now: () => new Date(`${snapshotDate}T06:00:00.000Z`),
    });
    spotify = {
      apiUrl: standIn.url,
      accountsUrl: standIn.url,
      clientId: standIn.options.clientId,
      refreshToken: standIn.grantRefreshToken(),
    };
    sources ??= SAMPLE_SOURCES;
    console.log(
      'Spotify: offline sample data (the bundled Spotify stand-in; set SPOTIFY_CLIENT_ID to call Spotify)',
    );
  }

  try {
    console.log(
      `Run: ${cli.snapshotDate ?? 'today'}, sources ${sources?.join(', ') ?? '(the configured defaults)'}, ` +
        `local bucket ${DEFAULT_LOCAL_BUCKET}${cli.realTimings ? ', real retry timings' : ''}\n`,
    );
    const result = await runLocalExecution({
      ...(cli.snapshotDate && standIn ? { snapshotDate: cli.snapshotDate } : {}),
      ...(sources ? { sources } : {}),
      dataDir,
      spotify,
      realTimings: cli.realTimings,
      onEvent: (event) => {
        const line = formatEvent(event);
        if (line) console.log(line);
      },
    });
    console.log(`\n${summarize(result, process.cwd(), result.manifestKey)}`);
    if (standIn) console.log(`Spotify stand-in served ${standIn.count()} HTTP requests.`);
    return result.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    await standIn?.close();
  }
}

runCommand(USAGE, main);
