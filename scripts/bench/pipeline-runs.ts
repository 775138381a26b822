import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { DEFAULT_SOURCES } from '../../functions/commons/config';
import { TOP_50_GLOBAL_PLAYLIST_ID, splitSourceList } from '../../functions/commons/domain/sources';
import { startLocalStack, type LocalStack } from '../../test/helpers/local-stack';
import { sizedPlaylist } from '../../test/spotify-stand-in/playlists';
import type { StandInOptions } from '../../test/spotify-stand-in/server';
import { readProjectFiles } from '../local/project-files';
import type { SpotifyTarget } from '../local/run-local';
import { BENCH_DATE } from './handler-runs';
import { median } from './stats';

const BENCH_NOW = `${BENCH_DATE}T06:00:00.000Z`;

/** What `npm run local` runs offline: a chart, a personal Top 50 and the recent plays. */
export const SAMPLE_SOURCES = [
  `playlist:${TOP_50_GLOBAL_PLAYLIST_ID}`,
  'me:top-tracks:short_term',
  'me:recently-played',
];

/**
 * Runs `work` with stdout swallowed and counted: the handlers log (INFO, with EMF metrics) as they
 * would in Lambda, and the byte count feeds the CloudWatch Logs line of the cost model.
 */
export async function quietly<T>(work: () => Promise<T>): Promise<{ value: T; bytes: number }> {
  let bytes = 0;
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunkValue: string | Uint8Array) => {
    bytes += typeof chunkValue === 'string' ? Buffer.byteLength(chunkValue) : chunkValue.length;
    return true;
  };
  try {
    return { value: await work(), bytes };
  } finally {
    process.stdout.write = write;
  }
}

/** A local S3 server and a Spotify stand-in for one measurement, closed afterwards. */
async function withStack<T>(
  options: Partial<StandInOptions>,
  work: (stack: LocalStack) => Promise<T>,
): Promise<T> {
  const stack = await startLocalStack({
    snapshotDate: BENCH_DATE,
    now: () => new Date(BENCH_NOW),
    ...options,
  });
  try {
    return await work(stack);
  } finally {
    await stack.close();
  }
}

function spotifyTarget(stack: LocalStack, auth: 'user_token' | 'client_credentials'): SpotifyTarget {
  const target = stack.spotify.target();
  return auth === 'user_token'
    ? {
        apiUrl: target.apiUrl,
        accountsUrl: target.accountsUrl,
        clientId: target.clientId,
        refreshToken: stack.spotify.grantRefreshToken(),
      }
    : target;
}

/** The whole offline sample (as `npm run local` runs it), six times: the first, then warm ones. */
export async function measureLocalExecution() {
  const { value: durations } = await quietly(() =>
    withStack({ mode: 'extended_quota' }, async (stack) => {
      const spotify = spotifyTarget(stack, 'user_token');
      const times: number[] = [];
      for (let index = 0; index < 6; index += 1) {
        const started = performance.now();
        const result = await stack.run({ snapshotDate: BENCH_DATE, sources: SAMPLE_SOURCES, spotify });
        if (result.status !== 'SUCCEEDED') throw new Error(`local run failed: ${result.cause ?? ''}`);
        times.push(performance.now() - started);
      }
      return times;
    }),
  );
  const warm = durations.slice(1);
  return {
    sources: SAMPLE_SOURCES,
    firstMs: Math.round(durations[0] ?? 0),
    medianMs: Math.round(median(warm)),
    minMs: Math.round(Math.min(...warm)),
    maxMs: Math.round(Math.max(...warm)),
    runs: warm.length,
  };
}

export interface RunCost {
  readonly label: string;
  readonly sources: number;
  readonly stateTransitions: number;
  /** Billed duration per Lambda invocation (handler time, plus a cold init where a container starts). */
  readonly lambdaBilledMs: number[];
  readonly memoryMb: number;
  readonly s3: { classA: number; classB: number };
  readonly logBytes: number;
  /** Bytes of the curated CSV objects the run wrote. */
  readonly csvBytes: number;
  readonly runsPerDay: number;
}

const outputSchema = z.looseObject({
  outcomes: z.array(z.looseObject({ load: z.looseObject({ keys: z.array(z.string()) }).optional() })),
});

/**
 * One execution of the state machine (in this process, against the local S3 and the stand-in),
 * read for what it is billed on. Each function pays a cold init once per concurrent container: the
 * Map runs `SOURCE_CONCURRENCY` (2) iterations at a time, so at most two containers per function.
 */
async function costOf(
  label: string,
  sources: string[],
  options: Partial<StandInOptions>,
  auth: 'user_token' | 'client_credentials',
  coldInitMs: Record<string, number>,
  runsPerDay: number,
): Promise<RunCost> {
  return withStack(options, async (stack) => {
    const s3 = stack.s3.requests;
    const before = { ...s3 };
    let during = { ...s3 };
    const { value: result, bytes: logBytes } = await quietly(() =>
      stack.run({
        snapshotDate: BENCH_DATE,
        sources,
        spotify: spotifyTarget(stack, auth),
        onEvent: (event) => {
          if (event.type === 'ExecutionSucceeded' || event.type === 'ExecutionFailed') during = { ...s3 };
        },
      }),
    );
    if (result.status !== 'SUCCEEDED') throw new Error(`${label}: run failed: ${result.cause ?? ''}`);
    const entered = new Map<string, number>();
    const billed: number[] = [];
    const containers = new Map<string, number>();
    const concurrency = 2;
    const lambdas = new Set(readProjectFiles().functions.keys());
    for (const event of result.events) {
      if (event.type !== 'StateEntered' && event.type !== 'StateExited') continue;
      const key = `${event.state.name}#${String(event.index ?? '')}`;
      if (event.type === 'StateEntered') entered.set(key, event.timestamp);
      else if (event.state.type === 'Task' && lambdas.has(event.state.name.toLowerCase())) {
        const name = event.state.name.toLowerCase();
        const started = containers.get(name) ?? 0;
        const cold = started < concurrency ? (coldInitMs[name] ?? 0) : 0;
        containers.set(name, started + 1);
        billed.push(Math.ceil(event.timestamp - (entered.get(key) ?? event.timestamp) + cold));
      }
    }
    const output = outputSchema.parse(result.output);
    let csvBytes = 0;
    for (const outcome of output.outcomes)
      for (const key of outcome.load?.keys ?? []) csvBytes += (await stat(result.fileOf(key))).size;
    return {
      label,
      sources: sources.length,
      stateTransitions: result.events.filter((event) => event.type === 'StateEntered').length,
      lambdaBilledMs: billed,
      memoryMb: 512,
      s3: { classA: during.classA - before.classA, classB: during.classB - before.classB },
      logBytes,
      csvBytes,
      runsPerDay,
    };
  });
}

/**
 * The deployments the cost model prices: the default one (the user's three Top 50s daily and the
 * recent plays hourly, a development-mode app), one chart daily and fifty charts daily (an
 * extended-quota app with client credentials).
 */
export async function measureCosts(coldInitMs: Record<string, number>) {
  const fifty = Array.from({ length: 50 }, (_, index) => `benchChart${String(index).padStart(2, '0')}`);
  const charts = new Map(fifty.map((id) => [id, sizedPlaylist(id, 50)]));
  const daily = await costOf(
    '3 top-tracks sources, daily',
    splitSourceList(DEFAULT_SOURCES),
    { mode: 'development' },
    'user_token',
    coldInitMs,
    1,
  );
  const hourly = await costOf(
    'recently played, hourly',
    ['me:recently-played'],
    { mode: 'development' },
    'user_token',
    coldInitMs,
    24,
  );
  const oneChart = await costOf(
    '1 playlist, daily',
    [`playlist:${TOP_50_GLOBAL_PLAYLIST_ID}`],
    { mode: 'extended_quota' },
    'client_credentials',
    coldInitMs,
    1,
  );
  const fiftyCharts = await costOf(
    '50 playlists, daily',
    fifty.map((id) => `playlist:${id}`),
    { mode: 'extended_quota', playlists: charts },
    'client_credentials',
    coldInitMs,
    1,
  );
  return { defaultDeployment: [daily, hourly], onePlaylist: [oneChart], fiftyPlaylists: [fiftyCharts] };
}
