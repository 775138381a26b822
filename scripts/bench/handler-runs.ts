import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type * as zm from 'zod/mini';
import { isSourceRef, parseSourceRef, type SourceRef } from '../../functions/commons/domain/sources';
import {
  extractResultSchema,
  loadResultSchema,
  transformResultSchema,
} from '../../functions/commons/domain/step-events';
import { LOCAL_S3_CREDENTIALS, localS3Client, startLocalS3, type LocalS3 } from '../local/local-s3';
import { readProjectFiles } from '../local/project-files';
import { sizedPlaylist, type PlaylistFixture } from '../../test/spotify-stand-in/playlists';
import {
  startSpotifyStandIn,
  type SpotifyStandIn,
  type StandInMode,
} from '../../test/spotify-stand-in/server';
import { lambdaNodeArgs, SDK_NODE_PATH } from './cold-init';
import { kbToMb, spread, type Spread } from './stats';
import { startWorker, type Invocation, type Worker } from './worker-process';

export const BENCH_DATE = '2026-01-31';
export const BENCH_NOW = `${BENCH_DATE}T06:00:00.000Z`;

export type AuthKind = 'user_token' | 'client_credentials';
export type SourceKindLabel = 'playlist' | 'top_tracks' | 'recently_played';

export interface Scenario {
  /** e.g. `playlist 1,000 (development, user token)`. */
  readonly label: string;
  readonly kind: SourceKindLabel;
  readonly ref: string;
  readonly mode: StandInMode;
  readonly auth: AuthKind;
  /** Entries the source holds (the playlist's size; 50 for top tracks and recent plays). */
  readonly entries: number;
}

export const STEPS = ['extract', 'transform', 'load'] as const;
export type Step = (typeof STEPS)[number];

export interface StepFigures {
  /** The handler call alone, first invocation in a fresh process (a cold container), ms. */
  readonly coldMs: Spread;
  /**
   * A second invocation in the same process with the same kind of input (a warm container), ms;
   * null for the largest size, where it would double the bench's time and tell nothing new.
   */
  readonly warmMs: Spread | null;
  /** Peak RSS (VmHWM) of the process at the end of the cold invocation (module init included), MB. */
  readonly peakRssMb: Spread;
  /** Peak RSS after the warm invocation too (the process's peak over both), MB. */
  readonly peakRssAfterWarmMb: Spread | null;
  /**
   * What `process.resourceUsage().maxRSS` says at the same point, MB: on Linux it includes the RSS
   * the spawning process had (it survives exec), so it is kept only to show the difference.
   */
  readonly resourceUsageMaxRssMb: Spread;
  /** Peak RSS of the bare worker before it loaded the handler (node itself), MB. */
  readonly baselineRssMb: number;
  /** `require()` of the bundled handler inside the worker, ms. */
  readonly initMs: Spread;
  /** S3 requests of the cold invocation. */
  readonly s3Requests: { classA: number; classB: number };
  /** What the handler logged (JSON lines and EMF metrics) in the cold invocation. */
  readonly logBytes: number;
}

export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly steps: Record<Step, StepFigures>;
  /** Spotify HTTP calls the Extract invocation made, as the stand-in counted them. */
  readonly calls: {
    readonly cold: number;
    /** A second Extract in the same process (null where no warm invocation ran). */
    readonly warm: number | null;
    /** The cold invocation's calls by endpoint, as the handler counted them (retries included). */
    readonly byEndpoint: Record<string, number>;
    readonly retries: number;
  };
  /** Object sizes in bytes (ContentLength in the bucket). */
  readonly bytes: { raw: number; normalized: number; csv: number };
  readonly rows: number;
  readonly apiMode: string;
  readonly enrichmentUnavailable: string[];
}

/**
 * Playlist sizes: the daily chart, a large one, and the most the quality gate lets a source have in
 * production; a size the gate would refuse is not measured (a 100,000-entry run cannot happen).
 */
export function playlistSizes(bounds: QualityBounds): number[] {
  return [...new Set([50, 1000, bounds.maxRowsPerSource])].filter(
    (size) => size >= bounds.minRowsPerSource && size <= bounds.maxRowsPerSource,
  );
}

export interface QualityBounds {
  readonly minRowsPerSource: number;
  readonly maxRowsPerSource: number;
}

export function scenarios(bounds: QualityBounds): Scenario[] {
  const sizes = playlistSizes(bounds);
  const list: Scenario[] = [];
  const modes: [StandInMode, AuthKind, string][] = [
    ['development', 'user_token', 'development, user token'],
    ['extended_quota', 'client_credentials', 'extended quota, client credentials'],
  ];
  for (const [mode, auth, how] of modes) {
    for (const size of sizes) {
      list.push({
        label: `playlist ${size.toLocaleString('en-US')} (${how})`,
        kind: 'playlist',
        ref: `playlist:${playlistId(size)}`,
        mode,
        auth,
        entries: size,
      });
    }
  }
  for (const mode of ['development', 'extended_quota'] as const) {
    const how = mode === 'development' ? 'development' : 'extended quota';
    list.push(
      {
        label: `me:top-tracks:short_term (${how}, user token)`,
        kind: 'top_tracks',
        ref: 'me:top-tracks:short_term',
        mode,
        auth: 'user_token',
        entries: 50,
      },
      {
        label: `me:recently-played (${how}, user token)`,
        kind: 'recently_played',
        ref: 'me:recently-played',
        mode,
        auth: 'user_token',
        entries: 50,
      },
    );
  }
  return list;
}

const byEndpointSchema = z.record(z.string(), z.number());

const playlistId = (size: number) => `benchPlaylist${size}`;

/** The stand-in renders every page from the fixture: compute each date's entries once, not per page. */
function memoizedPlaylist(size: number): PlaylistFixture {
  const fixture = sizedPlaylist(playlistId(size), size);
  const byDate = new Map<string, ReturnType<PlaylistFixture['entries']>>();
  return {
    ...fixture,
    entries: (date) => {
      const cached = byDate.get(date) ?? fixture.entries(date);
      byDate.set(date, cached);
      return cached;
    },
  };
}

function sourceOf(ref: string): SourceRef {
  const parsed = parseSourceRef(ref);
  if (!isSourceRef(parsed)) throw new Error(parsed.problem);
  return parsed;
}

export async function objectBytes(s3: S3Client, bucket: string, key: string): Promise<number> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return head.ContentLength ?? 0;
}

export function validated<T>(schema: zm.ZodMiniType<T>, invocation: Invocation, what: string): T {
  const parsed = schema.safeParse(invocation.result);
  if (!parsed.success) throw new Error(`${what} returned an unexpected result: ${parsed.error.message}`);
  return parsed.data;
}

/** One process's invocations (a cold one, maybe a warm one) and what it cost. */
export interface Sample {
  cold: Invocation;
  warm: Invocation | undefined;
  initMs: number;
  baselineRssKb: number;
  s3: { classA: number; classB: number };
  logBytes: number;
}

export function figures(samples: readonly Sample[]): StepFigures {
  const first = samples[0];
  if (!first) throw new Error('no samples');
  const warm = samples.flatMap((sample) => (sample.warm ? [sample.warm] : []));
  return {
    coldMs: spread(samples.map((sample) => sample.cold.ms)),
    warmMs: warm.length > 0 ? spread(warm.map((invocation) => invocation.ms)) : null,
    peakRssMb: spread(samples.map((sample) => kbToMb(sample.cold.peakRssKb))),
    peakRssAfterWarmMb:
      warm.length > 0 ? spread(warm.map((invocation) => kbToMb(invocation.peakRssKb))) : null,
    resourceUsageMaxRssMb: spread(samples.map((sample) => kbToMb(sample.cold.maxRssKb))),
    baselineRssMb: kbToMb(Math.max(...samples.map((sample) => sample.baselineRssKb))),
    initMs: spread(samples.map((sample) => sample.initMs)),
    s3Requests: first.s3,
    logBytes: first.logBytes,
  };
}

/** What a handler's process sees as on Lambda (its memory, the bucket, logs and metrics), for the local S3. */
export function handlerEnvironment(options: {
  readonly bucket: string;
  readonly endpoint: string;
  readonly memoryMb: number;
  readonly bounds: QualityBounds;
}): Record<string, string> {
  return {
    NODE_PATH: SDK_NODE_PATH,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb),
    DATA_BUCKET: options.bucket,
    S3_ENDPOINT: options.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    POWERTOOLS_SERVICE_NAME: 'spotify-etl-pipeline',
    POWERTOOLS_METRICS_NAMESPACE: 'SpotifyEtlPipeline',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_METRICS_DISABLED: 'false',
    CSV_NEUTRALIZE_FORMULAS: 'true',
    QUALITY_MIN_ROWS_PER_SOURCE: String(options.bounds.minRowsPerSource),
    QUALITY_MAX_ROWS_PER_SOURCE: String(options.bounds.maxRowsPerSource),
  };
}

export interface HandlerBenchOptions {
  readonly workDir: string;
  readonly workerFile: string;
  /** The bundled handler.js of each function, by serverless.yml function key. */
  readonly handlerFiles: Record<string, string>;
  readonly runs: number;
  readonly memoryMb: number;
  readonly bounds: QualityBounds;
  readonly onScenario?: (result: ScenarioResult) => void;
}

/**
 * Each source's Extract, Transform and Load, each in its own fresh process running the zip's bundled
 * handler against a local S3 (s3rver) and the Spotify stand-in, both served by this process. Every
 * run gets its own empty bucket, so every cold invocation does a first run's whole work.
 */
export async function measureHandlers(options: HandlerBenchOptions): Promise<ScenarioResult[]> {
  const { functions } = readProjectFiles();
  const s3Server: LocalS3 = await startLocalS3(path.join(options.workDir, 's3'), []);
  const s3 = localS3Client(s3Server.endpoint);
  const standIns = new Map<StandInMode, SpotifyStandIn>();
  const results: ScenarioResult[] = [];
  try {
    for (const mode of ['development', 'extended_quota'] as const) {
      standIns.set(
        mode,
        await startSpotifyStandIn({
          mode,
          snapshotDate: BENCH_DATE,
          now: () => new Date(BENCH_NOW),
          playlists: new Map(
            playlistSizes(options.bounds).map((size) => [playlistId(size), memoizedPlaylist(size)]),
          ),
        }),
      );
    }
    let bucketIndex = 0;
    for (const scenario of scenarios(options.bounds)) {
      const standIn = standIns.get(scenario.mode);
      if (!standIn) throw new Error(`no stand-in for ${scenario.mode}`);
      const source = sourceOf(scenario.ref);
      const samples: Record<Step, Sample[]> = { extract: [], transform: [], load: [] };
      const calls: { cold: number[]; warm: number[] } = { cold: [], warm: [] };
      let byEndpoint: Record<string, number> = {};
      let retries = 0;
      let bytes = { raw: 0, normalized: 0, csv: 0 };
      let rows = 0;
      let apiMode = '';
      let enrichmentUnavailable: string[] = [];

      for (let run = 0; run < options.runs; run += 1) {
        const bucket = `bench-${bucketIndex}`;
        bucketIndex += 1;
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
        const tokenDir = path.join(options.workDir, 'tokens', bucket);
        await mkdir(tokenDir, { recursive: true });
        const env: Record<string, string> = {
          ...handlerEnvironment({ ...options, bucket, endpoint: s3Server.endpoint }),
          SPOTIFY_API_URL: standIn.url,
          SPOTIFY_ACCOUNTS_URL: standIn.url,
          SPOTIFY_CLIENT_ID: standIn.options.clientId,
          ...(scenario.auth === 'user_token'
            ? { SPOTIFY_REFRESH_TOKEN: standIn.grantRefreshToken() }
            : { SPOTIFY_CLIENT_SECRET: standIn.options.clientSecret }),
          SPOTIFY_TOKEN_FILE: path.join(tokenDir, 'spotify-token.json'),
        };
        const runParameters = {
          snapshotDate: BENCH_DATE,
          runId: `bench-${source.slug}-${run}`,
          startedAt: BENCH_NOW,
        };

        /** One process: a cold and a warm invocation; Spotify calls and S3 requests counted per call. */
        const inProcess = async (step: Step, cold: unknown, warm: unknown) => {
          const withWarm = scenario.entries < options.bounds.maxRowsPerSource;
          const spec = functions.get(step);
          const handlerFile = options.handlerFiles[step];
          if (!spec || !handlerFile) throw new Error(`no function ${step}`);
          const worker: Worker = await startWorker({
            workerFile: options.workerFile,
            handlerFile,
            functionName: step,
            timeoutSeconds: spec.timeoutSeconds,
            nodeArgs: lambdaNodeArgs(options.memoryMb),
            env,
          });
          try {
            const s3Before = { ...s3Server.requests };
            const callsBefore = standIn.count();
            const coldInvocation = await worker.invoke(cold);
            const callsCold = standIn.count() - callsBefore;
            const s3Cold = {
              classA: s3Server.requests.classA - s3Before.classA,
              classB: s3Server.requests.classB - s3Before.classB,
            };
            const logBytes = worker.logBytes();
            const warmInvocation = withWarm ? await worker.invoke(warm) : undefined;
            const callsWarm = standIn.count() - callsBefore - callsCold;
            samples[step].push({
              cold: coldInvocation,
              warm: warmInvocation,
              initMs: worker.ready.initMs,
              baselineRssKb: worker.ready.baselineRssKb,
              s3: s3Cold,
              logBytes,
            });
            return { cold: coldInvocation, warm: warmInvocation, callsCold, callsWarm };
          } finally {
            await worker.close();
          }
        };

        const extractEvent = { run: runParameters, source };
        const extracted = await inProcess('extract', extractEvent, {
          run: { ...runParameters, runId: `${runParameters.runId}-warm` },
          source,
        });
        const extract = validated(extractResultSchema, extracted.cold, 'Extract');
        calls.cold.push(extracted.callsCold);
        if (extracted.warm) calls.warm.push(extracted.callsWarm);
        const transformEvent = { ...extractEvent, extract };
        const transformed = await inProcess('transform', transformEvent, transformEvent);
        const transform = validated(transformResultSchema, transformed.cold, 'Transform');
        const loadEvent = { ...transformEvent, transform };
        const loaded = await inProcess('load', loadEvent, loadEvent);
        const load = validated(loadResultSchema, loaded.cold, 'Load');

        if (run === 0) {
          byEndpoint = byEndpointSchema.parse(extract.api.byEndpoint ?? {});
          retries = extract.api.retries;
          let csv = 0;
          for (const key of load.keys) csv += await objectBytes(s3, bucket, key);
          bytes = {
            raw: await objectBytes(s3, bucket, extract.rawKey),
            normalized: await objectBytes(s3, bucket, transform.normalizedKey),
            csv,
          };
          rows = load.rows;
          apiMode = extract.apiMode;
          enrichmentUnavailable = transform.enrichmentUnavailable;
        }
      }
      const result: ScenarioResult = {
        scenario,
        steps: {
          extract: figures(samples.extract),
          transform: figures(samples.transform),
          load: figures(samples.load),
        },
        calls: {
          cold: Math.max(...calls.cold),
          warm: calls.warm.length > 0 ? Math.max(...calls.warm) : null,
          byEndpoint,
          retries,
        },
        bytes,
        rows,
        apiMode,
        enrichmentUnavailable,
      };
      if (new Set(calls.cold).size > 1 || new Set(calls.warm).size > 1) {
        throw new Error(`${scenario.label}: HTTP calls differ between runs (${calls.cold.join(', ')})`);
      }
      results.push(result);
      options.onScenario?.(result);
    }
    return results;
  } finally {
    s3.destroy();
    for (const standIn of standIns.values()) await standIn.close();
    await s3Server.close();
  }
}
