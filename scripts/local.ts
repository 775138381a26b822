/**
 * `npm run local`: runs the pipeline's state machine on this machine. Without Spotify credentials
 * it serves the bundled offline sample through the Spotify stand-in; with them it calls the API at
 * SPOTIFY_API_URL. Exit codes: 0 succeeded, 1 execution failed (or the data dir stayed busy),
 * 2 bad usage, 130 interrupted.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SPOTIFY_ACCOUNTS_URL, DEFAULT_SPOTIFY_API_URL } from '../functions/commons/constants';
import { utcDateOf } from '../functions/commons/domain/snapshot-date';
import { SOURCE_REFERENCE_HELP, TOP_50_GLOBAL_PLAYLIST_ID } from '../functions/commons/domain/sources';
import { startSpotifyStandIn, type SpotifyStandIn } from '../test/spotify-stand-in/server';
import { runCommand, UsageError, type Command } from './cli';
import { PROJECT_ROOT, localDataDir } from './local/project-files';
import { parseCli } from './local/cli-options';
import { formatEvent, summarize } from './local/progress';
import { MAX_REPLAY_DAYS } from './local/replay-range';
import { DEFAULT_LOCK_WAIT_MS } from './local/data-dir-lock';
import { DEFAULT_LOCAL_BUCKET, runLocalExecution, type SpotifyTarget } from './local/run-local';

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
  --replay FROM[:TO]   rebuild curated data for dates from the raw archive (raw/), without calling
                       Spotify; use it after a fix in Transform or to add a column. Dates YYYY-MM-DD,
                       FROM <= TO <= today, at most ${MAX_REPLAY_DAYS} days; TO defaults to FROM.
                       Every source found in raw/ for those dates, or only those given by --source
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
  LOCAL_LOCK_WAIT_SECONDS                    how long to wait for another run (default: ${DEFAULT_LOCK_WAIT_MS / 1000})
A git-ignored .env file in the project root is read first.

Data dir: one run at a time. A second run on the same LOCAL_DATA_DIR waits for the first (it says
for which PID) up to LOCAL_LOCK_WAIT_SECONDS, then exits with 1; <data dir>/.lock names the holder,
and a lock whose PID no longer runs is taken over. Plain files are never deleted (only --reset does):
if s3rver's store (<data dir>/.s3rver) is lost, it is rebuilt from them. Each file is replaced whole,
so Ctrl-C (exit code 130) leaves the old copy or the new one.`;

/** LOCAL_LOCK_WAIT_SECONDS, in milliseconds. */
function lockWaitMs(): number {
  const text = process.env.LOCAL_LOCK_WAIT_SECONDS?.trim();
  if (!text) return DEFAULT_LOCK_WAIT_MS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`LOCAL_LOCK_WAIT_SECONDS must be a number of seconds, 0 or more (got "${text}")`);
  }
  return seconds * 1000;
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

  const dataDir = localDataDir();
  const waitMs = lockWaitMs();

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
    if (!cli.replay) sources ??= SAMPLE_SOURCES;
    console.log(
      'Spotify: offline sample data (the bundled Spotify stand-in; set SPOTIFY_CLIENT_ID to call Spotify)',
    );
  }

  // Ctrl-C: every file on disk is whole (written aside, then renamed), and the lock is given back
  // on exit; the next run clears the temporary files and carries on from what was written.
  const interrupted = () => {
    console.error('\nInterrupted: stopped. Files already written are whole; run again to carry on.');
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const what = cli.replay
      ? `replay of ${cli.replay.from}${cli.replay.to === cli.replay.from ? '' : ` to ${cli.replay.to}`} from raw/, ` +
        `sources ${sources?.join(', ') ?? '(all found there)'}`
      : `${cli.snapshotDate ?? 'today'}, sources ${sources?.join(', ') ?? '(the configured defaults)'}`;
    console.log(
      `Run: ${what}, local bucket ${DEFAULT_LOCAL_BUCKET}${cli.realTimings ? ', real retry timings' : ''}\n`,
    );
    const result = await runLocalExecution({
      ...(cli.snapshotDate && standIn ? { snapshotDate: cli.snapshotDate } : {}),
      ...(cli.replay
        ? { input: { replay: { ...cli.replay }, ...(sources ? { sources: [...sources] } : {}) } }
        : {}),
      ...(sources ? { sources } : {}),
      dataDir,
      spotify,
      realTimings: cli.realTimings,
      reset: cli.reset,
      lockWaitMs: waitMs,
      onNotice: (line) => console.log(line),
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

export const command: Command = { usage: USAGE, main };

// Run as the entry point (npm run ...); a test imports `command` and runs it in the test's process (test/helpers/run-in-process.ts).
if (require.main === module) runCommand(command);
