/**
 * `npm run bench`: measures what the README's "Performance and cost" section states, prints a table
 * and writes .local/bench/results.json (bench/results.json with --update). A benchmark, not a test:
 * it asserts nothing, it reports. No AWS, no network; about 2-3 minutes on 2 cores, and as much
 * again for the ten-year history import. `--only history-import` runs that case alone (after the
 * packaging) and replaces only its figures in the results file.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { packageServiceCopy } from './local/package-service';
import { PROJECT_ROOT, readYaml } from './local/project-files';
import { lambdaNodeArgs, pairedDifference, requireTimes, unpackHandlers } from './bench/cold-init';
import { measureHandlers, playlistSizes, type ScenarioResult, type Step } from './bench/handler-runs';
import {
  HISTORY_IMPORT_METHOD,
  IMPORT_STEPS,
  measureHistoryImport,
  type HistoryImportResult,
} from './bench/history-import';
import { callFigures } from './bench/http-calls';
import { measureCosts, measureLocalExecution, type RunCost } from './bench/pipeline-runs';
import { PRICES, RUNS_PER_MONTH } from './bench/prices';
import { round, spread, type Spread } from './bench/stats';
import { buildWorker } from './bench/worker-process';

const NODE = process.execPath;
const LAMBDA_MEMORY_MB = 512;
const RUNS = 3;
const COLD_INIT_RUNS = 9;

/** What `--only` can run alone (the other figures in the results file are left as they were). */
const CASES = ['history-import'] as const;
type Case = (typeof CASES)[number];

const isCase = (value: string): value is Case => (CASES as readonly string[]).includes(value);

/** `--only history-import` (or `--only=history-import`): that case alone; undefined runs everything. */
function onlyCase(args: readonly string[]): Case | undefined {
  const at = args.indexOf('--only');
  const value = at >= 0 ? (args[at + 1] ?? '') : args.find((arg) => arg.startsWith('--only='))?.slice(7);
  if (value === undefined) return undefined;
  if (!isCase(value)) throw new Error(`--only takes one of: ${CASES.join(', ')} (got "${value}")`);
  return value;
}

/** The results file as the last run left it, to update one case in it. */
async function previousResults(file: string): Promise<Record<string, unknown>> {
  try {
    return z.record(z.string(), z.unknown()).parse(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return {};
  }
}

/** The quality bounds the stack deploys with (serverless.yml params): no bench scenario goes past them. */
function deployedQualityBounds(): { minRowsPerSource: number; maxRowsPerSource: number } {
  const config = z
    .looseObject({
      params: z.looseObject({
        default: z.looseObject({ minRowsPerSource: z.number(), maxRowsPerSource: z.number() }),
      }),
    })
    .parse(readYaml('serverless.yml'));
  return config.params.default;
}

/** `@aws-sdk/*` packages a bundle leaves to the runtime (what its init loads besides its own code). */
function sdkModulesOf(bundle: string): string[] {
  return [...new Set([...bundle.matchAll(/require\("(@aws-sdk\/[^"]+)"\)/g)].map((match) => match[1] ?? ''))]
    .filter(Boolean)
    .sort();
}

const fmt = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const range = (value: Spread, digits = 0) =>
  `${fmt(value.median, digits)} (${fmt(value.min, digits)}-${fmt(value.max, digits)})`;
const pad = (text: string, width: number) => text.padEnd(width);
const left = (text: string, width: number) => text.padStart(width);

function monthlyCost(runs: readonly RunCost[], withBastion: boolean) {
  const perRun = runs.map((cost) => {
    const gbSeconds = (cost.lambdaBilledMs.reduce((sum, ms) => sum + ms, 0) / 1000) * (cost.memoryMb / 1024);
    const usd = {
      stepFunctions: cost.stateTransitions * PRICES.stepFunctionsPerTransition,
      lambda: gbSeconds * PRICES.lambdaPerGbSecondArm + cost.lambdaBilledMs.length * PRICES.lambdaPerRequest,
      s3Requests: cost.s3.classA * PRICES.s3PerClassARequest + cost.s3.classB * PRICES.s3PerClassBRequest,
      logs: (cost.logBytes / 1e9) * PRICES.logsPerGbIngested,
      xray: PRICES.xrayPerTrace,
    };
    const total = Object.values(usd).reduce((sum, value) => sum + value, 0);
    return { cost, gbSeconds, usd, total, runsPerMonth: cost.runsPerDay * RUNS_PER_MONTH };
  });
  const variable = perRun.reduce((sum, run) => sum + run.total * run.runsPerMonth, 0);
  // A year of the CSVs the runs write: the most the bucket holds in its first year (staging expires).
  // Recent plays are merged into day files, so counting each run's file as new is an upper bound.
  const storageGb = runs.reduce((sum, cost) => sum + (cost.csvBytes * cost.runsPerDay * 365) / 1e9, 0);
  const storage = storageGb * PRICES.s3PerGbMonth;
  const alarm = 2 * PRICES.alarmPerMetricMonth;
  const bastion = withBastion
    ? PRICES.bastionInstanceMonth + PRICES.bastionDiskMonth + PRICES.publicIpv4Month
    : 0;
  return {
    runs: perRun.map((run) => ({
      label: run.cost.label,
      runsPerMonth: round(run.runsPerMonth, 1),
      gbSecondsPerRun: round(run.gbSeconds, 3),
      perRunUsd: Object.fromEntries(
        Object.entries(run.usd).map(([key, value]) => [key, Number(value.toPrecision(3))]),
      ),
    })),
    variableMonthlyUsd: Number(variable.toPrecision(3)),
    storageMonthlyUsd: Number(storage.toPrecision(3)),
    alarmMonthlyUsd: alarm,
    bastionMonthlyUsd: round(bastion, 2),
    totalMonthlyUsd: Number((variable + storage + alarm + bastion).toPrecision(3)),
    totalWithoutAlarmUsd: Number((variable + storage + bastion).toPrecision(3)),
  };
}

function printFunctions(
  zips: Record<string, number>,
  init: Record<string, Spread>,
  sdkOf: Record<string, string[]>,
  sdk: Record<string, Spread>,
  projectShare: Record<string, Spread>,
) {
  console.log(
    `Module init in a fresh node process, ms: median (min-max) of ${COLD_INIT_RUNS}, the sets taking turns; SDK through NODE_PATH`,
  );
  console.log(
    `  ${pad('function', 10)} ${left('zip (KB)', 8)}   ${pad('cold init', 16)}   ${pad('AWS SDK it loads', 21)} ${pad('SDK alone', 16)}   project's share (paired)`,
  );
  for (const name of Object.keys(zips)) {
    const modules = sdkOf[name] ?? [];
    const key = modules.join('+');
    const initMs = init[name];
    const share = projectShare[name];
    if (!initMs || !share) continue;
    console.log(
      `  ${pad(name, 10)} ${left(fmt((zips[name] ?? 0) / 1024, 1), 8)}   ${pad(range(initMs), 16)}   ${pad(key.replaceAll('@aws-sdk/', '') || '-', 21)} ${pad(sdk[key] ? range(sdk[key]) : '-', 16)}   ${range(share)}`,
    );
  }
  console.log(
    '  bare AWS SDK clients: ' +
      Object.entries(sdk)
        .map(([key, value]) => `${key.replaceAll('@aws-sdk/', '')} ${range(value)} ms`)
        .join(', '),
  );
  console.log('  targets: zip <= 250 KB, cold init <= 60 ms');
}

function printHandlers(results: readonly ScenarioResult[]) {
  console.log(
    `\nPer source and step: the zip's bundled handler in a fresh node process (one cold container per run), against the\n` +
      `local S3 and the Spotify stand-in. Handler call only, ms, median (min-max) of ${RUNS} runs; warm = a second call in\n` +
      `the same process; peak RSS = the process's VmHWM after the cold call, largest of ${RUNS}, against ${LAMBDA_MEMORY_MB} MB.\n` +
      `Node flags as the Lambda runtime sets them: ${lambdaNodeArgs(LAMBDA_MEMORY_MB).join(' ')}`,
  );
  console.log(
    `${pad('Source', 54)} ${pad('step', 9)} ${left('cold ms', 22)} ${left('warm ms', 9)} ${left('peak RSS MB', 12)} ${left('of 512', 7)}  S3 A/B`,
  );
  for (const result of results) {
    const steps: Step[] = ['extract', 'transform', 'load'];
    steps.forEach((step, index) => {
      const figures = result.steps[step];
      const rss = figures.peakRssMb.max;
      console.log(
        `${pad(index === 0 ? result.scenario.label : '', 54)} ${pad(step, 9)} ${left(range(figures.coldMs), 22)} ${left(figures.warmMs ? fmt(figures.warmMs.median) : '-', 9)} ${left(fmt(rss), 12)} ${left(`${fmt((rss / LAMBDA_MEMORY_MB) * 100)}%`, 7)}  ${figures.s3Requests.classA}/${figures.s3Requests.classB}`,
      );
    });
    const total = (['extract', 'transform', 'load'] as const).reduce(
      (sum, step) => sum + result.steps[step].coldMs.median,
      0,
    );
    console.log(
      `${pad('', 54)} ${pad('sum', 9)} ${left(fmt(total), 22)}   ${fmt(result.rows)} rows; raw ${fmt(result.bytes.raw)} B, normalized ${fmt(result.bytes.normalized)} B, CSV ${fmt(result.bytes.csv)} B`,
    );
  }
}

function printCalls(calls: ReturnType<typeof callFigures>) {
  console.log(
    `\nSpotify HTTP calls per Extract    ${pad('', 38)} cold container   warm container   cold, by endpoint`,
  );
  console.log(`${pad('', 72)} measured / min   measured / min`);
  for (const entry of calls) {
    const endpoints = Object.entries(entry.byEndpoint)
      .map(([endpoint, count]) => `${endpoint} ${count}`)
      .join(', ');
    console.log(
      `  ${pad(entry.source, 68)} ${left(`${entry.cold.measured} / ${entry.cold.minimum}`, 14)}   ${left(entry.warm ? `${entry.warm.measured} / ${entry.warm.minimum}` : '-', 14)}   ${endpoints}`,
    );
  }
}

const pct = (mb: number) => `${fmt((mb / LAMBDA_MEMORY_MB) * 100)}%`;

function printHistoryImport(result: HistoryImportResult) {
  const { perFile, representative, endToEnd } = result;
  const exported = result.export;
  console.log(
    `\nTen-year history import: ${fmt(exported.files)} files, ${fmt(exported.elements)} elements ` +
      `(${fmt(exported.archived)} kept; ${fmt(exported.dropped.incognito)} private-session, ${fmt(exported.dropped.invalid)} malformed), ` +
      `${exported.firstDay}..${exported.lastDay};\n` +
      `  files ${range(exported.fileMb, 2)} MB, ${fmt(exported.totalMb, 1)} MB in all, pretty-printed with every field ` +
      `(largeExport, seeded; generated in ${fmt(exported.generateMs / 1000, 1)} s)`,
  );
  console.log(
    `Each file in turn (uploaded as Spotify wrote it) into one bucket that holds the earlier files' days: importFile,\n` +
      `then Transform (replay rawKey), then Load, each in a fresh process from the zip's bundle. Handler call, ms, and\n` +
      `peak RSS (VmHWM), MB: median (min-max) of the ${fmt(perFile.files.length)} files; days = day files Load merged per file`,
  );
  console.log(
    `  ${pad('step', 11)} ${left('ms', 22)} ${left('peak RSS MB', 18)} ${left('of 512', 7)}  ${left('init ms', 16)}`,
  );
  for (const step of IMPORT_STEPS) {
    const figures = perFile.steps[step];
    console.log(
      `  ${pad(step, 11)} ${left(range(figures.ms), 22)} ${left(range(figures.peakRssMb), 18)} ${left(pct(figures.peakRssMb.max), 7)}  ${left(range(figures.initMs), 16)}`,
    );
  }
  console.log(
    `  ${pad('file path', 11)} ${left(range(perFile.totalMs), 22)}   ${range(perFile.playsPerSecond)} plays/s; ${range(perFile.days)} days per file`,
  );
  console.log(
    `One file, ${representative.file} (${fmt(representative.elements)} elements), ${representative.steps.load.coldMs.runs} times, ` +
      `each in fresh processes and a bucket\n` +
      `  in the same state; warm = ${representative.warmFile} next, in the same process`,
  );
  console.log(
    `  ${pad('step', 11)} ${left('cold ms', 22)} ${left('warm ms', 22)} ${left('peak RSS MB', 18)} ${left('after warm', 18)} ${left('of 512', 7)}`,
  );
  for (const step of IMPORT_STEPS) {
    const figures = representative.steps[step];
    const afterWarm = figures.peakRssAfterWarmMb;
    const worst = Math.max(figures.peakRssMb.max, afterWarm?.max ?? 0);
    console.log(
      `  ${pad(step, 11)} ${left(range(figures.coldMs), 22)} ${left(figures.warmMs ? range(figures.warmMs) : '-', 22)} ${left(range(figures.peakRssMb), 18)} ${left(afterWarm ? range(afterWarm) : '-', 18)} ${left(pct(worst), 7)}`,
    );
  }
  console.log(
    `  ${pad('file path', 11)} ${left(range(representative.totalMs), 22)}   ${range(representative.playsPerSecond)} plays/s (cold)`,
  );
  console.log(
    `Whole import, one local execution of the state machine ({ import: { prefix } }, Map concurrency ${endToEnd.concurrency ?? '-'}, handlers in this process):\n` +
      `  ${fmt(endToEnd.totalMs / 1000, 1)} s (execution ${fmt(endToEnd.executionMs / 1000, 1)} s), ${fmt(endToEnd.playsPerSecond)} plays/s; ` +
      `${fmt(endToEnd.rows)} rows in ${fmt(endToEnd.days)} day files; ${fmt(endToEnd.stateTransitions)} state transitions;\n` +
      `  before it, on this machine: check and strip ${fmt(endToEnd.prepareMs / 1000, 1)} s, upload ${fmt(endToEnd.uploadMs / 1000, 1)} s (${fmt(endToEnd.uploadedMb, 1)} MB)\n` +
      `  final state ${fmt(endToEnd.outputBytes)} B, largest state payload ${fmt(endToEnd.largestStateBytes)} B (${endToEnd.largestState}) ` +
      `of Step Functions' ${fmt(endToEnd.limitBytes)} B (${fmt((endToEnd.largestStateBytes / endToEnd.limitBytes) * 100)}%)`,
  );
  const peak = result.peakRssMb;
  console.log(
    `  peak RSS of any handler process: ${fmt(peak.max)} MB (${peak.step}, ${peak.file}), ${pct(peak.max)} of ${LAMBDA_MEMORY_MB} MB: ` +
      (peak.max <= LAMBDA_MEMORY_MB / 2 ? 'well within' : 'MORE THAN HALF of the function memory'),
  );
}

type Priced = {
  runs: RunCost[];
  without: ReturnType<typeof monthlyCost>;
  with: ReturnType<typeof monthlyCost>;
};

const DEPLOYMENTS: Record<string, string> = {
  defaultDeployment: 'default deployment (development mode, user token)',
  onePlaylist: '1 playlist daily (extended quota, client credentials)',
  fiftyPlaylists: '50 playlists daily (extended quota, client credentials)',
};

function printCosts(costs: Record<string, Priced>) {
  console.log(
    `\nMonthly cost (USD, us-east-1 list prices, no free tier; Lambda ${LAMBDA_MEMORY_MB} MB arm64)`,
  );
  console.log(
    `  ${pad('', 56)} ${left('runs/month', 10)} ${left('transitions', 12)} ${left('invocations', 12)} ${left('GB-s', 7)} ${left('S3 req', 7)}   ${left('usage+storage', 13)} ${left('+ alarm', 8)} ${left('+ bastion', 9)}`,
  );
  for (const [key, entry] of Object.entries(costs)) {
    console.log(
      `  ${pad(DEPLOYMENTS[key] ?? key, 56)} ${pad('', 10)} ${pad('', 12)} ${pad('', 12)} ${pad('', 7)} ${pad('', 7)}   ${left((entry.without.variableMonthlyUsd + entry.without.storageMonthlyUsd).toFixed(4), 13)} ${left(entry.without.totalMonthlyUsd.toFixed(4), 8)} ${left(entry.with.totalMonthlyUsd.toFixed(2), 9)}`,
    );
    entry.runs.forEach((run, index) => {
      const figures = entry.without.runs[index];
      console.log(
        `    ${pad(`per run: ${run.label}`, 54)} ${left(fmt(run.runsPerDay * RUNS_PER_MONTH, 1), 10)} ${left(String(run.stateTransitions), 12)} ${left(String(run.lambdaBilledMs.length), 12)} ${left(fmt(figures?.gbSecondsPerRun ?? 0, 3), 7)} ${left(String(run.s3.classA + run.s3.classB), 7)}`,
      );
    });
  }
}

/**
 * Everything but the history import: module init, each source's handlers, the local execution and
 * the cost model (the figures of the README's "Performance and cost").
 */
async function measureGeneral(context: {
  readonly work: string;
  readonly started: number;
  readonly loadAtStart: number;
  readonly nodeVersion: string;
  readonly bounds: ReturnType<typeof deployedQualityBounds>;
  readonly zips: Record<string, number>;
  readonly handlerFiles: Record<string, string>;
}) {
  const { work, started, loadAtStart, nodeVersion, bounds, zips, handlerFiles } = context;
  const sdkOf: Record<string, string[]> = {};
  for (const [name, file] of Object.entries(handlerFiles))
    sdkOf[name] = sdkModulesOf(await readFile(file, 'utf8'));
  const outside = path.join(work, 'outside');
  await mkdir(outside, { recursive: true });
  const sdkSets = [
    ...new Set([
      '@aws-sdk/client-s3',
      '@aws-sdk/client-ssm',
      ...Object.values(sdkOf)
        .map((set) => set.join('+'))
        .filter(Boolean),
    ]),
  ].sort();
  const samples = requireTimes(
    {
      ...Object.fromEntries(Object.entries(handlerFiles).map(([name, file]) => [name, [file]])),
      ...Object.fromEntries(sdkSets.map((key) => [key, key.split('+')])),
    },
    outside,
    LAMBDA_MEMORY_MB,
    COLD_INIT_RUNS,
  );
  const init: Record<string, Spread> = {};
  const projectShare: Record<string, Spread> = {};
  for (const name of Object.keys(handlerFiles)) {
    const own = samples[name] ?? [];
    init[name] = spread(own);
    const sdkKey = (sdkOf[name] ?? []).join('+');
    projectShare[name] = sdkKey ? pairedDifference(own, samples[sdkKey] ?? []) : spread(own);
  }
  const sdk = Object.fromEntries(sdkSets.map((key) => [key, spread(samples[key] ?? [])]));
  printFunctions(zips, init, sdkOf, sdk, projectShare);
  process.stderr.write(`  packaged and timed module init (${fmt((performance.now() - started) / 1000)} s)\n`);

  const workerFile = await buildWorker(work);
  const handlers = await measureHandlers({
    workDir: work,
    workerFile,
    handlerFiles,
    runs: RUNS,
    memoryMb: LAMBDA_MEMORY_MB,
    bounds,
    onScenario: (result) =>
      process.stderr.write(
        `  measured ${result.scenario.label} (${fmt((performance.now() - started) / 1000)} s)\n`,
      ),
  });
  printHandlers(handlers);
  const calls = callFigures(handlers);
  printCalls(calls);

  const local = await measureLocalExecution();
  console.log(
    `\nWhole local execution (the offline sample: ${local.sources.join(', ')}; in this process):\n` +
      `  first ${fmt(local.firstMs)} ms, then median ${fmt(local.medianMs)} ms (${fmt(local.minMs)}-${fmt(local.maxMs)}) of ${local.runs} (target <= 2,000 ms)`,
  );

  const coldInitMs = Object.fromEntries(Object.entries(init).map(([name, value]) => [name, value.median]));
  const measured = await measureCosts(coldInitMs);
  const cost = Object.fromEntries(
    Object.entries(measured).map(([key, runs]) => [
      key,
      { runs, without: monthlyCost(runs, false), with: monthlyCost(runs, true) },
    ]),
  );
  printCosts(cost);

  const results = {
    measuredAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: nodeVersion,
      // Other work on the machine shows in every figure: the 1-minute load average at start and end.
      loadAverage: { start: round(loadAtStart, 2), end: round(os.loadavg()[0] ?? 0, 2) },
    },
    method: {
      runs: RUNS,
      coldInitRuns: COLD_INIT_RUNS,
      lambdaMemoryMb: LAMBDA_MEMORY_MB,
      qualityBounds: bounds,
      handlers:
        "each run: Extract, Transform and Load of one source, each in a fresh node process (the Lambda runtime's node flags, nodeArgs) that require()s the zip's bundled handler.js (AWS SDK from NODE_PATH) and is invoked over IPC; ms = the handler call alone (cold = first call in the process, warm = a second one); peak RSS = VmHWM from /proc/self/status after the cold call; every run has its own empty bucket on the local S3 (s3rver) served by the bench process, Spotify is the stand-in",
      coldInit:
        'require() of the bundled handler.js in a fresh node process, from a folder outside the project, AWS SDK through NODE_PATH; the sets take turns, round by round; project share = median of (function - its SDK clients) per round',
      nodeArgs: lambdaNodeArgs(LAMBDA_MEMORY_MB),
      sizes: 'bytes: ContentLength of the objects in the bucket',
    },
    zipBytes: zips,
    coldInitMs: init,
    awsSdkOf: sdkOf,
    awsSdkRequireMs: sdk,
    coldInitProjectShareMs: projectShare,
    handlers: handlers.map((result) => ({
      source: result.scenario.label,
      ref: result.scenario.ref,
      kind: result.scenario.kind,
      mode: result.scenario.mode,
      auth: result.scenario.auth,
      entries: result.scenario.entries,
      rows: result.rows,
      apiMode: result.apiMode,
      enrichmentUnavailable: result.enrichmentUnavailable,
      bytes: result.bytes,
      steps: result.steps,
    })),
    httpCalls: calls,
    localExecution: local,
    cost: Object.fromEntries(
      Object.entries(cost).map(([key, entry]) => [
        key,
        { perRun: entry.runs, withoutBastion: entry.without, withBastion: entry.with },
      ]),
    ),
    prices: PRICES,
  };
  return { workerFile, results };
}

async function main() {
  const only = onlyCase(process.argv.slice(2));
  // In-process executions log and emit metrics as in Lambda; the runs swallow and count that output.
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const started = performance.now();
  const loadAtStart = os.loadavg()[0] ?? 0;
  const work = await mkdtemp(path.join(os.tmpdir(), 'spotify-etl-bench-'));
  const nodeVersion = spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();
  try {
    console.log(
      `Benchmark on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${nodeVersion}, ` +
        `load average ${fmt(loadAtStart, 2)} at the start`,
    );
    const bounds = deployedQualityBounds();
    console.log(
      `Quality bounds as deployed: ${fmt(bounds.minRowsPerSource)}..${fmt(bounds.maxRowsPerSource)} rows per source` +
        (only
          ? ` (only ${only})\n`
          : `, so playlists are measured at ${playlistSizes(bounds)
              .map((size) => fmt(size))
              .join(' / ')} entries\n`),
    );

    const packaged = await packageServiceCopy();
    const zips = packaged.zipSizes;
    const handlerFiles = await unpackHandlers(packaged.zips, path.join(work, 'handlers'));
    const measured = only
      ? undefined
      : await measureGeneral({ work, started, loadAtStart, nodeVersion, bounds, zips, handlerFiles });
    const general = measured?.results;
    const workerFile = measured?.workerFile ?? (await buildWorker(work));
    const historyStarted = performance.now();
    const historyLoadAtStart = os.loadavg()[0] ?? 0;
    const history = await measureHistoryImport({
      workDir: work,
      workerFile,
      handlerFiles,
      runs: RUNS,
      memoryMb: LAMBDA_MEMORY_MB,
      bounds,
      onProgress: (line: string) =>
        process.stderr.write(`  history import: ${line} (${fmt((performance.now() - started) / 1000)} s)\n`),
    });
    printHistoryImport(history);
    const historyImport = {
      measuredAt: new Date().toISOString(),
      node: nodeVersion,
      loadAverage: { start: round(historyLoadAtStart, 2), end: round(os.loadavg()[0] ?? 0, 2) },
      seconds: round((performance.now() - historyStarted) / 1000, 1),
      method: HISTORY_IMPORT_METHOD,
      ...history,
    };

    // The tracked bench/results.json changes only when asked: a bench run leaves the tree clean.
    const target = process.argv.includes('--update')
      ? path.join(PROJECT_ROOT, 'bench', 'results.json')
      : path.join(PROJECT_ROOT, '.local', 'bench', 'results.json');
    const benchSeconds = round((performance.now() - started) / 1000, 1);
    // --only: the other figures stay as the last whole run measured them.
    const results = general
      ? { ...general, historyImport, benchSeconds }
      : { ...(await previousResults(target)), historyImport };
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, `${JSON.stringify(results, null, 2)}\n`);
    const loadAverage = general?.machine.loadAverage ?? historyImport.loadAverage;
    console.log(
      `\nWrote ${path.relative(process.cwd(), target)}${only ? ` (only ${only} updated)` : ''} (${fmt(benchSeconds)} s; load average ` +
        `${fmt(loadAverage.start, 2)} at the start, ${fmt(loadAverage.end, 2)} at the end)`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
