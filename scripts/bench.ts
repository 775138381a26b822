/**
 * `npm run bench`: measures what the README's "Performance and cost" section states, prints a table
 * and writes bench/results.json. A benchmark, not a test: it asserts nothing, it reports.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { packageServiceCopy } from './local/package-service';
import { PROJECT_ROOT } from './local/project-files';
import { PRICES, RUNS_PER_MONTH } from './bench/prices';
import { readZipEntry } from './bench/unzip';
import { measureCalls, measureLocalRuns, median, type RunCost } from './bench/pipeline-runs';

/** The bench measures on the Node that runs it; the README's figures come from the Lambda runtime's major. */
const NODE = process.execPath;
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

async function packageZips(dir: string): Promise<Record<string, number>> {
  const packaged = await packageServiceCopy();
  await mkdir(dir, { recursive: true });
  for (const [name, zip] of Object.entries(packaged.zips))
    await writeFile(path.join(dir, `${name}.zip`), zip);
  return packaged.zipSizes;
}

/** Module init of a bundled handler in a fresh node process (the AWS SDK resolved as the runtime provides it). */
async function coldInit(zipDir: string, name: string, runs = 9): Promise<number> {
  const handlerFile = path.join(zipDir, 'unzipped', name, 'handler.js');
  await mkdir(path.dirname(handlerFile), { recursive: true });
  await writeFile(
    handlerFile,
    readZipEntry(await readFile(path.join(zipDir, `${name}.zip`)), `functions/${name}/handler.js`),
  );
  const probe = `const t=process.hrtime.bigint();require(${JSON.stringify(handlerFile)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  const times: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    const result = spawnSync(NODE, ['-e', probe], {
      encoding: 'utf8',
      env: { ...process.env, NODE_PATH: path.join(PROJECT_ROOT, 'node_modules'), AWS_REGION: 'us-east-1' },
    });
    if (result.status !== 0) throw new Error(`init of ${name} failed: ${result.stderr}`);
    times.push(Number(result.stdout.trim()));
  }
  return median(times);
}

interface Throughput {
  records: number;
  elapsedMs: number;
  phasesMs: Record<string, number>;
  rowsPerSecond: number;
  stagedMb: number;
  csvMb: number;
  peakRssMb: number;
}

function throughput(records: number): Throughput {
  const tsx = path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const result = spawnSync(
    NODE,
    [tsx, path.join(PROJECT_ROOT, 'scripts', 'bench', 'throughput-worker.ts'), String(records)],
    {
      encoding: 'utf8',
      cwd: PROJECT_ROOT,
      maxBuffer: 1 << 20,
    },
  );
  if (result.status !== 0) throw new Error(`throughput ${records} failed: ${result.stderr}`);
  const line = result.stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(line) as Throughput;
}

function monthlyCost(cost: RunCost, withBastion: boolean) {
  const gbSeconds = (cost.lambdaBilledMs.reduce((sum, ms) => sum + ms, 0) / 1000) * (cost.memoryMb / 1024);
  const perRun = {
    stepFunctions: cost.stateTransitions * PRICES.stepFunctionsPerTransition,
    lambda: gbSeconds * PRICES.lambdaPerGbSecondArm + cost.lambdaBilledMs.length * PRICES.lambdaPerRequest,
    s3Requests: cost.s3.classA * PRICES.s3PerClassARequest + cost.s3.classB * PRICES.s3PerClassBRequest,
    logs: (cost.logBytes / 1e9) * PRICES.logsPerGbIngested,
    xray: PRICES.xrayPerTrace,
  };
  const variable = Object.values(perRun).reduce((sum, value) => sum + value, 0) * RUNS_PER_MONTH;
  // A year of daily CSVs, the largest the bucket gets in its first year (staging expires).
  const storage = ((cost.csvBytes * 365) / 1e9) * PRICES.s3PerGbMonth;
  const alarm = 2 * PRICES.alarmPerMetricMonth;
  const bastion = withBastion
    ? PRICES.bastionInstanceMonth + PRICES.bastionDiskMonth + PRICES.publicIpv4Month
    : 0;
  return {
    gbSecondsPerRun: round(gbSeconds, 3),
    perRunUsd: Object.fromEntries(
      Object.entries(perRun).map(([key, value]) => [key, Number(value.toPrecision(3))]),
    ),
    variableMonthlyUsd: Number(variable.toPrecision(3)),
    storageMonthlyUsd: Number(storage.toPrecision(3)),
    alarmMonthlyUsd: alarm,
    bastionMonthlyUsd: round(bastion, 2),
    totalMonthlyUsd: Number((variable + storage + alarm + bastion).toPrecision(3)),
    totalWithoutAlarmUsd: Number((variable + storage + bastion).toPrecision(3)),
  };
}

async function main() {
  // Handlers log and emit metrics as in Lambda; the runs swallow and count that output.
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const work = await mkdtemp(path.join(os.tmpdir(), 'spotify-etl-bench-'));
  try {
    console.log(
      `Benchmark on ${os.cpus().length} cores, Node ${spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim()}\n`,
    );
    const zipDir = path.join(work, 'package');
    const zips = await packageZips(zipDir);
    const init: Record<string, number> = {};
    for (const name of Object.keys(zips)) init[name] = round(await coldInit(zipDir, name));
    console.log(
      'Function               zip (KB)   cold init (ms, median of 9)   target: <= 250 KB, <= 60 ms',
    );
    for (const name of Object.keys(zips)) {
      console.log(
        `  ${name.padEnd(20)} ${String(round((zips[name] ?? 0) / 1024)).padStart(8)}   ${String(init[name]).padStart(8)}`,
      );
    }

    const calls = await measureCalls([50, 200, 1000]);
    console.log('\nHTTP calls per run      legacy API (measured / minimum)   2026 API (measured / minimum)');
    for (const entry of calls) {
      console.log(
        `  ${String(entry.items).padStart(5)} items          ${String(entry.legacy.measured).padStart(6)} / ${String(entry.legacy.minimum).padEnd(6)}                  ${String(entry.modern.measured).padStart(6)} / ${entry.modern.minimum}`,
      );
    }

    const throughputs = [1000, 10_000, 100_000].map(throughput);
    console.log(
      '\nTransform + CSV         time (ms)   rows/s    peak RSS (MB)   parse/validate/normalize/csv (ms)   target 100k: <= 1000 ms, <= 256 MB',
    );
    for (const entry of throughputs) {
      const phases = Object.values(entry.phasesMs)
        .map((ms) => Math.round(ms))
        .join('/');
      console.log(
        `  ${String(entry.records).padStart(7)} records   ${String(Math.round(entry.elapsedMs)).padStart(9)}   ${String(entry.rowsPerSecond).padStart(7)}   ${String(Math.round(entry.peakRssMb)).padStart(13)}   ${phases}`,
      );
    }

    const local = await measureLocalRuns(init);
    console.log(
      `\nWhole local execution (offline sample): first ${local.firstMs} ms, median of ${local.runs} ${local.medianMs} ms (target <= 2000 ms)`,
    );

    const cost = {
      onePlaylist: {
        perRun: local.costOnePlaylist,
        withoutBastion: monthlyCost(local.costOnePlaylist, false),
        withBastion: monthlyCost(local.costOnePlaylist, true),
      },
      fiftyPlaylists: {
        perRun: local.costFiftyPlaylists,
        withoutBastion: monthlyCost(local.costFiftyPlaylists, false),
        withBastion: monthlyCost(local.costFiftyPlaylists, true),
      },
    };
    console.log(
      '\nMonthly cost, daily runs (USD, list prices)   transitions/run   GB-s/run   S3 req/run   variable   + alarm   + bastion',
    );
    for (const [label, entry] of [
      ['1 playlist', cost.onePlaylist],
      ['50 playlists', cost.fiftyPlaylists],
    ] as const) {
      console.log(
        `  ${label.padEnd(42)} ${String(entry.perRun.stateTransitions).padStart(15)}   ${String(entry.withoutBastion.gbSecondsPerRun).padStart(8)}   ${String(entry.perRun.s3.classA + entry.perRun.s3.classB).padStart(10)}   ${(entry.withoutBastion.variableMonthlyUsd + entry.withoutBastion.storageMonthlyUsd).toFixed(4).padStart(8)}   ${entry.withoutBastion.totalMonthlyUsd.toFixed(4).padStart(7)}   ${entry.withBastion.totalMonthlyUsd.toFixed(2).padStart(9)}`,
      );
    }

    const results = {
      measuredAt: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        node: spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim(),
      },
      zipBytes: zips,
      coldInitMs: init,
      httpCalls: calls,
      transformAndCsv: throughputs,
      localExecution: { firstMs: local.firstMs, medianMs: local.medianMs, runs: local.runs },
      cost,
      prices: PRICES,
    };
    // The tracked bench/results.json changes only when asked: a bench run leaves the tree clean.
    const target = process.argv.includes('--update')
      ? path.join(PROJECT_ROOT, 'bench', 'results.json')
      : path.join(PROJECT_ROOT, '.local', 'bench', 'results.json');
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nWrote ${path.relative(process.cwd(), target)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
