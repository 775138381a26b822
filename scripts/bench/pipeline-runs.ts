import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SPOTIFY_LIMITS } from '../../functions/commons/constants';
import { chunk } from '../../functions/commons/clients/spotify/catalog';
import { startLocalS3, type S3RequestCounts } from '../local/local-s3';
import { DEFAULT_LOCAL_BUCKET, runLocalExecution, s3StoreDir } from '../local/run-local';
import { samplePlaylists, sizedPlaylist } from '../../test/spotify-stand-in/playlists';
import { chartFor, spotifyId } from '../../test/spotify-stand-in/sample-data';
import { startSpotifyStandIn, type StandInOptions } from '../../test/spotify-stand-in/server';

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

async function withStack<T>(
  options: Partial<StandInOptions>,
  work: (context: {
    dataDir: string;
    run: typeof runLocalExecution;
    endpoint: string;
    s3: S3RequestCounts;
    spotify: Awaited<ReturnType<typeof startSpotifyStandIn>>;
  }) => Promise<T>,
): Promise<T> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'spotify-etl-bench-run-'));
  const s3 = await startLocalS3(s3StoreDir(dataDir), [DEFAULT_LOCAL_BUCKET]);
  const spotify = await startSpotifyStandIn({ snapshotDate: '2026-01-31', ...options });
  try {
    return await work({ dataDir, run: runLocalExecution, endpoint: s3.endpoint, s3: s3.requests, spotify });
  } finally {
    await spotify.close();
    await s3.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function minimumCalls(items: number, shape: 'legacy' | '2026'): number {
  const tracks = chartFor('2026-01-31', items);
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
        withStack({ apiShape: shape }, async ({ dataDir, endpoint, spotify }) => {
          spotify.options.playlists.set('benchPlaylist', sizedPlaylist('benchPlaylist', items));
          const result = await runLocalExecution({
            snapshotDate: '2026-01-31',
            playlistIds: ['benchPlaylist'],
            dataDir,
            s3Endpoint: endpoint,
            spotify: spotify.target(),
          });
          if (result.status !== 'SUCCEEDED')
            throw new Error(`bench run of ${items} items failed: ${result.cause ?? ''}`);
          return spotify.count();
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
  return withStack({}, async ({ dataDir, endpoint, s3, spotify }) => {
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
      runLocalExecution({
        snapshotDate: '2026-01-31',
        playlistIds,
        dataDir,
        s3Endpoint: endpoint,
        spotify: spotify.target(),
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
    const { stat } = await import('node:fs/promises');
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
    withStack({}, async ({ dataDir, endpoint, spotify }) => {
      const durations: number[] = [];
      for (let index = 0; index < 6; index += 1) {
        const started = Date.now();
        const result = await runLocalExecution({
          snapshotDate: '2026-01-31',
          dataDir,
          s3Endpoint: endpoint,
          spotify: spotify.target(),
        });
        if (result.status !== 'SUCCEEDED') throw new Error('local run failed');
        durations.push(Date.now() - started);
      }
      return durations;
    }),
  );
  const fifty = Array.from({ length: 50 }, (_, index) =>
    index === 0 ? '37i9dQZEVXbMDoHDwVN2tF' : spotifyId('country', index),
  );
  const costOnePlaylist = await costOf(['37i9dQZEVXbMDoHDwVN2tF'], coldInitMs);
  const costFiftyPlaylists = await costOf(fifty, coldInitMs);
  const warm = times.slice(1).sort((a, b) => a - b);
  return {
    firstMs: times[0] ?? 0,
    medianMs: warm[Math.floor(warm.length / 2)] ?? 0,
    runs: warm.length,
    costOnePlaylist,
    costFiftyPlaylists,
  };
}
