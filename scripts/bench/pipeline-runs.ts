import { stat } from 'node:fs/promises';
import { SPOTIFY_LIMITS, TOP_50_GLOBAL_PLAYLIST_ID } from '../../functions/commons/constants';
import { chunk } from '../../functions/commons/clients/spotify/catalog';
import { startLocalStack, type LocalStack } from '../../test/helpers/local-stack';
import type { S3RequestCounts } from '../local/local-s3';
import { samplePlaylists, sizedPlaylist } from '../../test/spotify-stand-in/playlists';
import { chartFor, spotifyId } from '../../test/spotify-stand-in/sample-data';
import type { StandInOptions } from '../../test/spotify-stand-in/server';

const BENCH_DATE = '2026-01-31';

export const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

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

export interface RunCost {
  stateTransitions: number;
  /** Billed duration per Lambda invocation: handler time plus the measured cold init (daily runs are cold). */
  lambdaBilledMs: number[];
  memoryMb: number;
  s3: S3RequestCounts;
  logBytes: number;
  csvBytes: number;
}

/** A local S3 server and a Spotify stand-in for one measurement, closed afterwards. */
async function withStack<T>(
  options: Partial<StandInOptions>,
  work: (stack: LocalStack) => Promise<T>,
): Promise<T> {
  const stack = await startLocalStack({ snapshotDate: BENCH_DATE, ...options });
  try {
    return await work(stack);
  } finally {
    await stack.close();
  }
}

function minimumCalls(items: number, shape: 'legacy' | '2026'): number {
  const tracks = chartFor(BENCH_DATE, items);
  const artists = new Set(tracks.flatMap((track) => track.artistIds));
  const page = shape === 'legacy' ? SPOTIFY_LIMITS.legacyTracksPage : SPOTIFY_LIMITS.itemsPage;
  const pages = 1 + Math.ceil(Math.max(0, items - page) / page); // the first page comes with the playlist
  // 2026: one refused call each shows that artists and audio features are unavailable.
  const enrichment =
    shape === 'legacy'
      ? chunk([...artists], SPOTIFY_LIMITS.severalArtists).length +
        chunk(tracks, SPOTIFY_LIMITS.audioFeatures).length
      : 2;
  return 1 + pages + enrichment;
}

export async function measureCalls(sizes: number[]) {
  const results = [];
  for (const items of sizes) {
    const measured: Record<string, number> = {};
    for (const shape of ['legacy', '2026'] as const) {
      ({ value: measured[shape] } = await quietly(() =>
        withStack({ apiShape: shape }, async (stack) => {
          stack.spotify.options.playlists.set('benchPlaylist', sizedPlaylist('benchPlaylist', items));
          const result = await stack.run({ snapshotDate: BENCH_DATE, playlistIds: ['benchPlaylist'] });
          if (result.status !== 'SUCCEEDED')
            throw new Error(`bench run of ${items} items failed: ${result.cause ?? ''}`);
          return stack.spotify.count();
        }),
      ));
    }
    results.push({
      items,
      legacy: { measured: measured.legacy ?? 0, minimum: minimumCalls(items, 'legacy') },
      modern: { measured: measured['2026'] ?? 0, minimum: minimumCalls(items, '2026') },
    });
  }
  return results;
}

async function costOf(playlistIds: string[], coldInitMs: Record<string, number>): Promise<RunCost> {
  return withStack({}, async (stack) => {
    const { spotify } = stack;
    const s3 = stack.s3.requests;
    for (const [index, id] of playlistIds.entries()) {
      if (!spotify.options.playlists.has(id)) {
        spotify.options.playlists.set(id, {
          id,
          name: `Top 50 - Country ${index}`,
          entries: samplePlaylists().get(id)?.entries ?? sizedPlaylist(id, 50).entries,
        });
      }
    }
    const before = { ...s3 };
    let during = { ...s3 };
    const { value: result, bytes: logBytes } = await quietly(() =>
      stack.run({
        snapshotDate: BENCH_DATE,
        playlistIds,
        onEvent: (event) => {
          if (event.type === 'ExecutionSucceeded' || event.type === 'ExecutionFailed') during = { ...s3 };
        },
      }),
    );
    if (result.status !== 'SUCCEEDED') throw new Error(`cost run failed: ${result.cause ?? ''}`);
    const entered = new Map<string, number>();
    const billed: number[] = [];
    for (const event of result.events) {
      if (event.type === 'StateEntered') entered.set(event.state.name, event.timestamp);
      if (event.type === 'StateExited' && event.state.type === 'Task') {
        const name = event.state.name.toLowerCase();
        billed.push(
          Math.ceil(event.timestamp - (entered.get(event.state.name) ?? event.timestamp)) +
            (coldInitMs[name] ?? 0),
        );
      }
    }
    const output = result.output as { load?: { csvKey?: string } } | undefined;
    const csvBytes = output?.load?.csvKey ? (await stat(result.fileOf(output.load.csvKey))).size : 0;
    return {
      stateTransitions: result.events.filter((event) => event.type === 'StateEntered').length,
      lambdaBilledMs: billed,
      memoryMb: 512,
      s3: { classA: during.classA - before.classA, classB: during.classB - before.classB },
      logBytes,
      csvBytes,
    };
  });
}

export async function measureLocalRuns(coldInitMs: Record<string, number>) {
  const { value: times } = await quietly(() =>
    withStack({}, async (stack) => {
      const durations: number[] = [];
      for (let index = 0; index < 6; index += 1) {
        const started = Date.now();
        const result = await stack.run({ snapshotDate: BENCH_DATE });
        if (result.status !== 'SUCCEEDED') throw new Error('local run failed');
        durations.push(Date.now() - started);
      }
      return durations;
    }),
  );
  const fifty = Array.from({ length: 50 }, (_, index) =>
    index === 0 ? TOP_50_GLOBAL_PLAYLIST_ID : spotifyId('country', index),
  );
  const costOnePlaylist = await costOf([TOP_50_GLOBAL_PLAYLIST_ID], coldInitMs);
  const costFiftyPlaylists = await costOf(fifty, coldInitMs);
  const warm = times.slice(1);
  return {
    firstMs: times[0] ?? 0,
    medianMs: median(warm),
    runs: warm.length,
    costOnePlaylist,
    costFiftyPlaylists,
  };
}
