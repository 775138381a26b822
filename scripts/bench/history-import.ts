import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import * as zm from 'zod/mini';
import { keys } from '../../functions/commons/domain/keys';
import { sourceRefSchema } from '../../functions/commons/domain/run';
import {
  loadResultSchema,
  transformResultSchema,
  type LoadResult,
  type TransformResult,
} from '../../functions/commons/domain/step-events';
import { startLocalStack } from '../../test/helpers/local-stack';
import { exportFileText, largeExport, type LargeExportFile } from '../../test/spotify-stand-in/sample-export';
import { prepareFile } from '../import/prepare';
import { localS3Client, startLocalS3, type LocalS3 } from '../local/local-s3';
import { readProjectFiles } from '../local/project-files';
import type { LocalRunResult } from '../local/run-local';
import { lambdaNodeArgs } from './cold-init';
import {
  BENCH_DATE,
  BENCH_NOW,
  figures,
  handlerEnvironment,
  objectBytes,
  validated,
  type Sample,
  type StepFigures,
} from './handler-runs';
import { quietly } from './pipeline-runs';
import { kbToMb, round, spread, type Spread } from './stats';
import { startWorker, type Invocation } from './worker-process';

/** A heavy listener's ten years, as the brief of the import sized it: ~7,500 plays a file. */
export const HISTORY_EXPORT = { years: 10, plays: 150_000, files: 20 } as const;
/** Step Functions' limit on an execution's state (input, output, each state's payload). */
export const STATE_PAYLOAD_LIMIT_BYTES = 256 * 1024;

export const IMPORT_STEPS = ['importFile', 'transform', 'load'] as const;
export type ImportStep = (typeof IMPORT_STEPS)[number];

const IMPORT_ID = 'history-bench-ten-years';

/** What importFile returns (the Sources Map's item for the file). */
const importResultSchema = zm.object({
  source: sourceRefSchema,
  replay: zm.object({ snapshotDate: zm.string(), rawKey: zm.string() }),
  file: zm.string(),
  elements: zm.number(),
  plays: zm.number(),
  dropped: zm.object({ invalid: zm.number(), incognito: zm.number() }),
  durationMs: zm.number(),
});
type ImportResult = zm.infer<typeof importResultSchema>;

/** The Extract result the state machine's FromArchive state hands a replay's Transform. */
const FROM_ARCHIVE_EXTRACT = {
  rawKey: '',
  entries: 0,
  apiMode: 'replay',
  resumed: true,
  api: { requests: 0, retries: 0 },
  warnings: [],
  durationMs: 0,
};

/** One handler's cold invocation for one file, in its own fresh process. */
export interface FileStepFigures {
  readonly ms: number;
  readonly initMs: number;
  readonly peakRssMb: number;
  readonly s3Requests: { classA: number; classB: number };
  readonly logBytes: number;
}

export interface FileRun {
  readonly name: string;
  readonly index: number;
  /** The file as Spotify wrote it (what a console upload puts in the inbox). */
  readonly bytes: number;
  readonly elements: number;
  /** Plays kept by importFile (not malformed, not private-session). */
  readonly archived: number;
  readonly dropped: { invalid: number; incognito: number };
  readonly rows: number;
  /** Day files the file's plays fell on (each one read, merged and written by Load). */
  readonly days: number;
  readonly firstDay: string;
  readonly lastDay: string;
  readonly plays: { added: number; mergedWithApi: number; alreadyPresent: number } | null;
  readonly bytesArchived: number;
  readonly bytesNormalized: number;
  readonly steps: Record<ImportStep, FileStepFigures>;
  /** importFile + Transform + Load, the handler calls alone, ms. */
  readonly totalMs: number;
  /** The file's elements over totalMs. */
  readonly playsPerSecond: number;
}

export interface HistoryImportResult {
  readonly export: {
    readonly generator: string;
    readonly files: number;
    readonly elements: number;
    readonly archived: number;
    readonly dropped: { invalid: number; incognito: number };
    readonly firstDay: string;
    readonly lastDay: string;
    readonly fileMb: Spread;
    readonly totalMb: number;
    readonly generateMs: number;
  };
  /** Each file of the export in turn, into one bucket that holds the earlier files' days. */
  readonly perFile: {
    readonly files: FileRun[];
    readonly steps: Record<ImportStep, { ms: Spread; peakRssMb: Spread; initMs: Spread }>;
    readonly totalMs: Spread;
    readonly playsPerSecond: Spread;
    readonly days: Spread;
  };
  /** One file, `runs` times, each in fresh processes and a bucket in the same state. */
  readonly representative: {
    readonly file: string;
    readonly warmFile: string;
    readonly elements: number;
    /** Day files the earlier files had written where this file's (and the next's) plays fall. */
    readonly seededDays: number;
    readonly steps: Record<ImportStep, StepFigures>;
    readonly totalMs: Spread;
    readonly playsPerSecond: Spread;
  };
  /** The whole import as one local execution of the state machine (handlers in the bench process). */
  readonly endToEnd: {
    readonly files: number;
    readonly elements: number;
    readonly uploadedMb: number;
    /** The CLI's check-and-strip of every file, on the user's machine, before the upload. */
    readonly prepareMs: number;
    readonly uploadMs: number;
    /** runLocalExecution, from the call to its return (the local bucket mirrored to plain files included). */
    readonly totalMs: number;
    /** ExecutionStarted to ExecutionSucceeded. */
    readonly executionMs: number;
    readonly playsPerSecond: number;
    readonly rows: number;
    readonly days: number;
    readonly plays: { added: number; mergedWithApi: number; alreadyPresent: number };
    readonly concurrency: number | null;
    readonly stateTransitions: number;
    /** JSON.stringify(execution output), bytes (UTF-8). */
    readonly outputBytes: number;
    /** The largest payload any state passed on (its output), bytes. */
    readonly largestStateBytes: number;
    readonly largestState: string;
    readonly limitBytes: number;
  };
  readonly peakRssMb: { readonly max: number; readonly step: ImportStep; readonly file: string };
  readonly lambdaMemoryMb: number;
}

export interface HistoryImportOptions {
  readonly workDir: string;
  readonly workerFile: string;
  readonly handlerFiles: Record<string, string>;
  readonly runs: number;
  readonly memoryMb: number;
  readonly bounds: { readonly minRowsPerSource: number; readonly maxRowsPerSource: number };
  readonly onProgress?: (line: string) => void;
}

const mb = (bytes: number) => round(bytes / 1e6, 2);

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

function objectKeysOf(listed: { Contents?: { Key?: string }[] }): string[] {
  return (listed.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let token: string | undefined;
  do {
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    found.push(...objectKeysOf(listed));
    token = listed.IsTruncated ? listed.NextContinuationToken : undefined;
  } while (token);
  return found;
}

/** Copies the curated days of [from, to] (those that exist) into another bucket. */
async function copyDays(s3: S3Client, from: string, to: string, days: { first: string; last: string }) {
  const prefix = 'curated/recently_played/played_date=';
  const wanted = (await listKeys(s3, from, prefix)).filter((key) => {
    const day = key.slice(prefix.length, prefix.length + 10);
    return day >= days.first && day <= days.last;
  });
  for (const key of wanted) {
    const response = await s3.send(new GetObjectCommand({ Bucket: from, Key: key }));
    const body = await response.Body?.transformToByteArray();
    await s3.send(
      new PutObjectCommand({ Bucket: to, Key: key, Body: body, ContentType: response.ContentType }),
    );
  }
  return wanted.length;
}

interface Events {
  importEvent(file: LargeExportFile): unknown;
  transformEvent(imported: ImportResult): unknown;
  loadEvent(imported: ImportResult, transform: TransformResult): unknown;
}

/** The events the state machine builds for one file: ImportFiles' item, then FromArchive's replay. */
function eventsFor(runId: string, prefix: string): Events {
  const run = { snapshotDate: BENCH_DATE, runId, startedAt: BENCH_NOW };
  const transformEvent = (imported: ImportResult) => ({
    run: { ...run, snapshotDate: imported.replay.snapshotDate },
    source: imported.source,
    replay: imported.replay,
    extract: FROM_ARCHIVE_EXTRACT,
  });
  return {
    importEvent: (file) => ({
      run,
      includeIncognito: false,
      file: { key: `${prefix}${file.name}`, name: file.name },
      index: file.index,
    }),
    transformEvent,
    loadEvent: (imported, transform) => ({ ...transformEvent(imported), transform }),
  };
}

/**
 * importFile, Transform and Load of each file of a ten-year export, each handler in its own fresh
 * process from the zip's bundle (the bench's per-handler workers); then one file several times in
 * buckets in the same state; then the whole import as one local execution of the state machine.
 */
export async function measureHistoryImport(options: HistoryImportOptions): Promise<HistoryImportResult> {
  const progress = options.onProgress ?? (() => undefined);
  const { functions } = readProjectFiles();
  const generated = performance.now();
  const files = largeExport(HISTORY_EXPORT);
  const exportDir = path.join(options.workDir, 'history-export');
  await mkdir(exportDir, { recursive: true });
  const fileBytes: number[] = [];
  for (const file of files) {
    const text = exportFileText(file.build());
    fileBytes.push(Buffer.byteLength(text));
    await writeFile(path.join(exportDir, file.name), text);
  }
  const generateMs = performance.now() - generated;
  const fileOf = (file: LargeExportFile) => path.join(exportDir, file.name);
  progress(
    `generated ${files.length} files, ${fmtMb(sum(fileBytes))} MB (${Math.round(generateMs / 1000)} s)`,
  );

  const s3Server: LocalS3 = await startLocalS3(path.join(options.workDir, 's3-history'), []);
  const s3 = localS3Client(s3Server.endpoint);
  const prefix = keys.inboxFolder(IMPORT_ID);
  const envOf = (bucket: string) => handlerEnvironment({ ...options, bucket, endpoint: s3Server.endpoint });
  const upload = async (bucket: string, file: LargeExportFile) => {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${prefix}${file.name}`,
        Body: await readFile(fileOf(file)),
      }),
    );
  };

  /** One fresh process (a cold container) for a handler: a cold invocation, maybe a warm one. */
  const inProcess = async (
    step: ImportStep,
    bucket: string,
    cold: unknown,
    warm?: unknown,
  ): Promise<Sample> => {
    const spec = functions.get(step);
    const handlerFile = options.handlerFiles[step];
    if (!spec || !handlerFile) throw new Error(`no function ${step}`);
    const worker = await startWorker({
      workerFile: options.workerFile,
      handlerFile,
      functionName: step,
      timeoutSeconds: spec.timeoutSeconds,
      nodeArgs: lambdaNodeArgs(options.memoryMb),
      env: envOf(bucket),
    });
    try {
      const s3Before = { ...s3Server.requests };
      const coldInvocation: Invocation = await worker.invoke(cold);
      const s3Cold = {
        classA: s3Server.requests.classA - s3Before.classA,
        classB: s3Server.requests.classB - s3Before.classB,
      };
      const logBytes = worker.logBytes();
      const warmInvocation = warm === undefined ? undefined : await worker.invoke(warm);
      return {
        cold: coldInvocation,
        warm: warmInvocation,
        initMs: worker.ready.initMs,
        baselineRssKb: worker.ready.baselineRssKb,
        s3: s3Cold,
        logBytes,
      };
    } finally {
      await worker.close();
    }
  };

  const stepFigures = (sample: Sample): FileStepFigures => ({
    ms: round(sample.cold.ms),
    initMs: round(sample.initMs),
    peakRssMb: kbToMb(sample.cold.peakRssKb),
    s3Requests: sample.s3,
    logBytes: sample.logBytes,
  });

  try {
    const sequenceBucket = 'history-import';
    await s3.send(new CreateBucketCommand({ Bucket: sequenceBucket }));
    for (const file of files) await upload(sequenceBucket, file);
    const sequence = eventsFor(IMPORT_ID, prefix);
    const middle = Math.floor(files.length / 2);
    const representative = files[middle];
    const warmFile = files[middle + 1];
    if (!representative || !warmFile) throw new Error('the export has too few files for the bench');
    const representativeSamples: Record<ImportStep, Sample[]> = { importFile: [], transform: [], load: [] };
    const runs: FileRun[] = [];
    let seededDays = 0;

    for (const [position, file] of files.entries()) {
      if (position === middle) {
        // The same file in buckets in the state the sequence has now: its days (and the next
        // file's) as the earlier files left them, and nothing of this file yet.
        for (let sample = 0; sample < options.runs; sample += 1) {
          const bucket = `history-sample-${sample}`;
          await s3.send(new CreateBucketCommand({ Bucket: bucket }));
          await upload(bucket, file);
          await upload(bucket, warmFile);
          seededDays = await copyDays(s3, sequenceBucket, bucket, {
            first: file.firstDay,
            last: warmFile.lastDay,
          });
          const events = eventsFor(`${IMPORT_ID}-sample-${sample}`, prefix);
          const imported = await inProcess(
            'importFile',
            bucket,
            events.importEvent(file),
            events.importEvent(warmFile),
          );
          const importedCold = validated(importResultSchema, imported.cold, 'importFile');
          const importedWarm = imported.warm
            ? validated(importResultSchema, imported.warm, 'importFile')
            : importedCold;
          const transformed = await inProcess(
            'transform',
            bucket,
            events.transformEvent(importedCold),
            events.transformEvent(importedWarm),
          );
          const transformCold = validated(transformResultSchema, transformed.cold, 'Transform');
          const transformWarm = transformed.warm
            ? validated(transformResultSchema, transformed.warm, 'Transform')
            : transformCold;
          const loaded = await inProcess(
            'load',
            bucket,
            events.loadEvent(importedCold, transformCold),
            events.loadEvent(importedWarm, transformWarm),
          );
          validated(loadResultSchema, loaded.cold, 'Load');
          representativeSamples.importFile.push(imported);
          representativeSamples.transform.push(transformed);
          representativeSamples.load.push(loaded);
        }
        progress(`measured ${file.name} ${options.runs} times`);
      }

      const imported = await inProcess('importFile', sequenceBucket, sequence.importEvent(file));
      const importResult = validated(importResultSchema, imported.cold, 'importFile');
      const transformed = await inProcess('transform', sequenceBucket, sequence.transformEvent(importResult));
      const transform = validated(transformResultSchema, transformed.cold, 'Transform');
      const loaded = await inProcess('load', sequenceBucket, sequence.loadEvent(importResult, transform));
      const load: LoadResult = validated(loadResultSchema, loaded.cold, 'Load');
      const steps = {
        importFile: stepFigures(imported),
        transform: stepFigures(transformed),
        load: stepFigures(loaded),
      };
      const totalMs = steps.importFile.ms + steps.transform.ms + steps.load.ms;
      runs.push({
        name: file.name,
        index: file.index,
        bytes: fileBytes[position] ?? 0,
        elements: importResult.elements,
        archived: importResult.plays,
        dropped: importResult.dropped,
        rows: load.rows,
        days: load.keysTotal ?? load.keys.length,
        firstDay: file.firstDay,
        lastDay: file.lastDay,
        plays: load.plays ?? null,
        bytesArchived: await objectBytes(s3, sequenceBucket, importResult.replay.rawKey),
        bytesNormalized: await objectBytes(s3, sequenceBucket, transform.normalizedKey),
        steps,
        totalMs: round(totalMs),
        playsPerSecond: Math.round(importResult.elements / (totalMs / 1000)),
      });
      progress(
        `${file.name}: ${IMPORT_STEPS.map((step) => `${step} ${Math.round(steps[step].ms)} ms`).join(', ')}`,
      );
    }

    const representativeFigures = {
      importFile: figures(representativeSamples.importFile),
      transform: figures(representativeSamples.transform),
      load: figures(representativeSamples.load),
    };
    const representativeTotals = representativeSamples.importFile.map(
      (sample, index) =>
        sample.cold.ms +
        (representativeSamples.transform[index]?.cold.ms ?? 0) +
        (representativeSamples.load[index]?.cold.ms ?? 0),
    );

    const endToEnd = await measureEndToEnd(files, fileOf, progress);

    const peak = runs
      .flatMap((run) => IMPORT_STEPS.map((step) => ({ step, file: run.name, mb: run.steps[step].peakRssMb })))
      .concat(
        IMPORT_STEPS.map((step) => ({
          step,
          file: `${representative.name} (then ${warmFile.name}, warm)`,
          mb: Math.max(
            representativeFigures[step].peakRssMb.max,
            representativeFigures[step].peakRssAfterWarmMb?.max ?? 0,
          ),
        })),
      )
      .reduce((best, entry) => (entry.mb > best.mb ? entry : best));
    return {
      export: {
        generator: `largeExport(${JSON.stringify(HISTORY_EXPORT)}) in test/spotify-stand-in/sample-export.ts, default seed`,
        files: files.length,
        elements: sum(runs.map((run) => run.elements)),
        archived: sum(runs.map((run) => run.archived)),
        dropped: {
          invalid: sum(runs.map((run) => run.dropped.invalid)),
          incognito: sum(runs.map((run) => run.dropped.incognito)),
        },
        firstDay: files[0]?.firstDay ?? '',
        lastDay: files.at(-1)?.lastDay ?? '',
        fileMb: spread(fileBytes.map(mb), 2),
        totalMb: mb(sum(fileBytes)),
        generateMs: Math.round(generateMs),
      },
      perFile: {
        files: runs,
        steps: {
          importFile: perStep(runs, 'importFile'),
          transform: perStep(runs, 'transform'),
          load: perStep(runs, 'load'),
        },
        totalMs: spread(runs.map((run) => run.totalMs)),
        playsPerSecond: spread(
          runs.map((run) => run.playsPerSecond),
          0,
        ),
        days: spread(
          runs.map((run) => run.days),
          0,
        ),
      },
      representative: {
        file: representative.name,
        warmFile: warmFile.name,
        elements: representative.elements,
        seededDays,
        steps: representativeFigures,
        totalMs: spread(representativeTotals),
        playsPerSecond: spread(
          representativeTotals.map((ms) => representative.elements / (ms / 1000)),
          0,
        ),
      },
      endToEnd,
      peakRssMb: { max: peak.mb, step: peak.step, file: peak.file },
      lambdaMemoryMb: options.memoryMb,
    };
  } finally {
    s3.destroy();
    await s3Server.close();
  }
}

function perStep(runs: readonly FileRun[], step: ImportStep) {
  return {
    ms: spread(runs.map((run) => run.steps[step].ms)),
    peakRssMb: spread(runs.map((run) => run.steps[step].peakRssMb)),
    initMs: spread(runs.map((run) => run.steps[step].initMs)),
  };
}

const fmtMb = (bytes: number) => (bytes / 1e6).toFixed(1);

const loadOutputSchema = zm.looseObject({
  plan: zm.optional(zm.looseObject({ concurrency: zm.optional(zm.number()) })),
  outcomes: zm.array(
    zm.looseObject({
      status: zm.string(),
      load: zm.optional(loadResultSchema),
    }),
  ),
});

function jsonBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}

/** The largest payload a state passed on in the execution (top-level states and Map iterations). */
function largestState(result: LocalRunResult): { bytes: number; state: string } {
  let largest = { bytes: 0, state: '' };
  for (const event of result.events) {
    if (event.type !== 'StateExited') continue;
    const bytes = jsonBytes(event.state.output);
    if (bytes > largest.bytes) largest = { bytes, state: event.state.name };
  }
  return largest;
}

/**
 * The whole import as `npm run import:history` runs it locally: every file checked and stripped
 * (prepareFile), uploaded to an inbox folder, then one execution of the state machine with
 * `{ import: { prefix } }`, its handlers in this process against a local S3.
 */
async function measureEndToEnd(
  files: readonly LargeExportFile[],
  fileOf: (file: LargeExportFile) => string,
  progress: (line: string) => void,
): Promise<HistoryImportResult['endToEnd']> {
  const stack = await startLocalStack({ snapshotDate: BENCH_DATE, now: () => new Date(BENCH_NOW) });
  try {
    const prefix = keys.inboxFolder(IMPORT_ID);
    const s3 = localS3Client(stack.s3.endpoint);
    let prepareMs = 0;
    let uploadMs = 0;
    let uploaded = 0;
    let elements = 0;
    try {
      for (const file of files) {
        const started = performance.now();
        const body = await readFile(fileOf(file));
        const prepared = await prepareFile(
          { name: file.name, origin: file.name, bytes: body.length, read: () => Promise.resolve(body) },
          { includeIncognito: false },
        );
        const sent = performance.now();
        prepareMs += sent - started;
        await s3.send(
          new PutObjectCommand({ Bucket: stack.bucket, Key: `${prefix}${file.name}`, Body: prepared.body }),
        );
        uploadMs += performance.now() - sent;
        uploaded += Buffer.byteLength(prepared.body);
        elements += prepared.elements;
      }
    } finally {
      s3.destroy();
    }
    progress(`prepared and uploaded ${files.length} files (${Math.round((prepareMs + uploadMs) / 1000)} s)`);
    const started = performance.now();
    const { value: result } = await quietly(() =>
      stack.run({ snapshotDate: BENCH_DATE, executionName: IMPORT_ID, input: { import: { prefix } } }),
    );
    const totalMs = performance.now() - started;
    if (result.status !== 'SUCCEEDED') {
      throw new Error(`the local import failed: ${result.error ?? ''} ${result.cause ?? ''}`);
    }
    const output = loadOutputSchema.parse(result.output);
    const loads = output.outcomes.flatMap((outcome) => (outcome.load ? [outcome.load] : []));
    if (loads.length !== files.length) {
      throw new Error(`the local import loaded ${loads.length} of ${files.length} files`);
    }
    const plays = { added: 0, mergedWithApi: 0, alreadyPresent: 0 };
    for (const load of loads) {
      plays.added += load.plays?.added ?? 0;
      plays.mergedWithApi += load.plays?.mergedWithApi ?? 0;
      plays.alreadyPresent += load.plays?.alreadyPresent ?? 0;
    }
    const timestamps = (type: string) =>
      result.events.find((event) => event.type === type)?.timestamp ?? Number.NaN;
    const executionMs = timestamps('ExecutionSucceeded') - timestamps('ExecutionStarted');
    const largest = largestState(result);
    return {
      files: files.length,
      elements,
      uploadedMb: mb(uploaded),
      prepareMs: Math.round(prepareMs),
      uploadMs: Math.round(uploadMs),
      totalMs: Math.round(totalMs),
      executionMs: Math.round(executionMs),
      playsPerSecond: Math.round(elements / (totalMs / 1000)),
      rows: sum(loads.map((load) => load.rows)),
      // Files share the day where one ends and the next begins: the day files, not the sum.
      days: await dayFiles(stack.dataDir, stack.bucket),
      plays,
      concurrency: output.plan?.concurrency ?? null,
      stateTransitions: result.events.filter((event) => event.type === 'StateEntered').length,
      outputBytes: jsonBytes(result.output),
      largestStateBytes: largest.bytes,
      largestState: largest.state,
      limitBytes: STATE_PAYLOAD_LIMIT_BYTES,
    };
  } finally {
    await stack.close();
  }
}

/** The curated day files the local execution left (in its plain-file mirror of the bucket). */
async function dayFiles(dataDir: string, bucket: string): Promise<number> {
  const days = await readdir(path.join(dataDir, bucket, 'curated', 'recently_played'));
  return days.filter((day) => day.startsWith('played_date=')).length;
}

export const HISTORY_IMPORT_METHOD =
  "a ten-year export (largeExport, seeded) written to a temporary folder as Spotify writes it (pretty-printed, every field, privacy ones included); perFile: each file in turn, uploaded as is to the inbox of one bucket (a console upload), then importFile, Transform (the replay's rawKey) and Load, each in a fresh node process with the Lambda runtime's node flags that require()s the zip's bundled handler (as the handlers bench), so each Load merges into a bucket holding the earlier files' days; ms = the handler call alone, peak RSS = VmHWM after it, playsPerSecond = the file's elements over the three calls; representative: the middle file, runs times, each in buckets seeded with the days the sequence had there at that point, warm = the next file in the same processes; endToEnd: every file checked and stripped by prepareFile (the CLI), uploaded, then one runLocalExecution with { import: { prefix } } in the bench process (the local bucket mirrored to plain files included in totalMs), payload sizes = UTF-8 bytes of JSON.stringify";
