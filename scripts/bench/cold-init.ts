import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT, readProjectFiles } from '../local/project-files';
import { spread, type Spread } from './stats';
import { readZipEntry } from './unzip';

/** The runtime resolves the AWS SDK from its own node_modules through NODE_PATH; so does the bench. */
export const SDK_NODE_PATH = path.join(PROJECT_ROOT, 'node_modules');

/**
 * The flags the Lambda Node.js runtime's bootstrap starts node with (AWS base images): a tenth of
 * the memory for the young generation, the rest for the old one, so the heap is sized as on Lambda
 * and not from this machine's RAM.
 */
export function lambdaNodeArgs(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [
    '--expose-gc',
    '--max-http-header-size=81920',
    '--enable-source-maps',
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMb - newSpace}`,
  ];
}

/**
 * Writes each zip's bundled handler to `<dir>/<name>/handler.js`; returns the files by function.
 * The entry is where serverless.yml's `handler` points (importFile's is functions/import/handler.js).
 */
export async function unpackHandlers(
  zips: Record<string, Buffer>,
  dir: string,
): Promise<Record<string, string>> {
  const { functions } = readProjectFiles();
  const files: Record<string, string> = {};
  for (const [name, zip] of Object.entries(zips)) {
    const modulePath = functions.get(name)?.modulePath ?? `functions/${name}/handler`;
    const file = path.join(dir, name, 'handler.js');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, readZipEntry(zip, `${modulePath}.js`));
    files[name] = file;
  }
  return files;
}

/**
 * Time to `require()` each set of modules in a fresh node process, from a folder outside the
 * project (so only NODE_PATH finds the SDK, as on Lambda). The sets take turns, `runs` rounds, so
 * whatever else the machine does at the time weighs on all of them alike; samples come back in
 * round order, so a function's and its SDK's samples of one round can be compared.
 */
export function requireTimes(
  sets: Record<string, readonly string[]>,
  cwd: string,
  memoryMb: number,
  runs = 9,
): Record<string, number[]> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(sets).map((key) => [key, []]));
  for (let round = 0; round < runs; round += 1) {
    for (const [key, modules] of Object.entries(sets)) {
      const probe =
        'const t=process.hrtime.bigint();' +
        modules.map((module) => `require(${JSON.stringify(module)});`).join('') +
        'console.log(Number(process.hrtime.bigint()-t)/1e6)';
      const result = spawnSync(process.execPath, [...lambdaNodeArgs(memoryMb), '-e', probe], {
        cwd,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '',
          NODE_PATH: SDK_NODE_PATH,
          AWS_REGION: 'us-east-1',
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
        },
      });
      if (result.status !== 0) throw new Error(`require of ${modules.join(', ')} failed: ${result.stderr}`);
      times[key]?.push(Number(result.stdout.trim()));
    }
  }
  return times;
}

/** The median of paired differences (a function's init minus its SDK's load, round by round). */
export function pairedDifference(minuend: readonly number[], subtrahend: readonly number[]): Spread {
  return spread(minuend.map((value, index) => value - (subtrahend[index] ?? 0)));
}
