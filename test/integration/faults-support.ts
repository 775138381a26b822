import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { keys } from '../../functions/commons/domain/keys';
import {
  parseSourceRef,
  TOP_50_GLOBAL_PLAYLIST_ID,
  type SourceRef,
} from '../../functions/commons/domain/sources';
import type { LocalRunOptions, LocalRunResult } from '../../scripts/local/run-local';
import { publishedFiles } from '../helpers/bucket-snapshot';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';

/** Shared by the fault, logging, HTTP-client and credentials suites (not a test file itself). */

export function source(ref: string): SourceRef {
  const parsed = parseSourceRef(ref);
  if (!('ref' in parsed)) throw new Error(parsed.problem);
  return parsed;
}

const spotifyStatsSchema = z.looseObject({
  requests: z.number(),
  retries: z.number(),
  rateLimitWaits: z.number(),
  authMode: z.optional(z.string()),
  refreshTokenRotated: z.optional(z.boolean()),
  byEndpoint: z.record(z.string(), z.number()),
});

const manifestSchema = z.looseObject({
  status: z.enum(['succeeded', 'partial', 'failed']),
  warnings: z.array(z.string()),
  rowsWritten: z.number(),
  spotifyRequests: z.number(),
  sources: z.array(
    z.looseObject({
      source: z.string(),
      status: z.enum(['succeeded', 'failed']),
      error: z.optional(z.string()),
      cause: z.optional(z.string()),
      apiMode: z.optional(z.string()),
      resumed: z.optional(z.boolean()),
      entries: z.optional(z.number()),
      spotify: z.optional(spotifyStatsSchema),
      skipped: z.optional(z.record(z.string(), z.number())),
      enrichmentUnavailable: z.optional(z.array(z.string())),
      rowsWritten: z.optional(z.number()),
      published: z.array(z.string()),
    }),
  ),
});
export type Manifest = z.infer<typeof manifestSchema>;

/** The run manifest Finalize wrote for this execution (whatever its outcome). */
export function manifestOf(result: LocalRunResult): Manifest {
  return manifestSchema.parse(JSON.parse(readFileSync(result.fileOf(result.manifestKey), 'utf8')));
}

/** The only source of a one-source run's manifest. */
export function onlySource(result: LocalRunResult): Manifest['sources'][number] {
  const { sources } = manifestOf(result);
  const [first] = sources;
  if (sources.length !== 1 || !first) throw new Error(`expected one source, got ${sources.length}`);
  return first;
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface TinyServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A minimal HTTP server that records every request (headers and body) and answers with `answer`:
 * a host a redirect points to, or a server answering what the Spotify stand-in cannot.
 */
export async function startTinyServer(
  answer: (request: RecordedRequest) => {
    status: number;
    headers?: Record<string, string>;
    body?: string | Buffer;
  } = () => ({ status: 200, body: '{}' }),
): Promise<TinyServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded = {
        method: request.method ?? 'GET',
        url: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const { status, headers = {}, body = '' } = answer(recorded);
      response.writeHead(status, headers);
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const CHART = `playlist:${TOP_50_GLOBAL_PLAYLIST_ID}`;

export const retriesOf = (result: LocalRunResult) =>
  result.events.filter((event) => event.type === 'StateRetried').length;

/**
 * Registers the hooks of a suite that runs the Top 50 as an extended-quota app with client
 * credentials (the stand-in's full API): a good day is published first, and every failure must
 * leave it byte for byte as it is. Faults, mode and counts are reset before each test.
 */
export function publishedChartDay(day: string) {
  let current: LocalStack | undefined;
  let published: Record<string, string> = {};
  const stack = (): LocalStack => {
    if (!current) throw new Error('the stack is not started');
    return current;
  };
  const run = (options: Partial<LocalRunOptions> = {}) =>
    stack().run({ snapshotDate: day, sources: [CHART], ...options });

  beforeAll(async () => {
    current = await startLocalStack({
      mode: 'extended_quota',
      snapshotDate: day,
      now: () => new Date(`${day}T06:00:00Z`),
    });
    const baseline = await run();
    expect([baseline.status, baseline.cause]).toEqual(['SUCCEEDED', undefined]);
    published = await publishedFiles(baseline.bucketDir);
    expect(Object.keys(published).sort()).toEqual(
      [keys.topTracksCsv(day, source(CHART)), keys.latestTopTracksCsv(source(CHART))].sort(),
    );
  });
  afterAll(() => current?.close());
  beforeEach(() => {
    stack().spotify.options.faults = [];
    stack().spotify.options.mode = 'extended_quota';
    stack().spotify.resetCounts();
  });

  /** Runs a failing case: the error, one alert, a manifest saying so, and the published files unchanged. */
  async function expectFailure(error: string, options: Partial<LocalRunOptions> = {}) {
    const result = await run(options);
    expect([result.status, result.error]).toEqual(['FAILED', error]);
    expect(await publishedFiles(result.bucketDir)).toEqual(published);
    expect(result.notifications).toHaveLength(1);
    expect(onlySource(result)).toMatchObject({
      source: options.sources?.[0] ?? CHART,
      status: 'failed',
      error,
      published: [],
    });
    return result;
  }

  return { stack, run, expectFailure, published: () => published };
}
