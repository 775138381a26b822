import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { testNeedingTool, type TestFn } from './optional-tool';

/** Names Chromium goes by on Debian, Ubuntu, Fedora, Arch and Homebrew installs. */
const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

const isExecutable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** CHROMIUM_PATH if set, else the first Chromium on PATH; undefined when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.CHROMIUM_PATH?.trim();
  if (explicit) return explicit;
  const dirs = (env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '');
  for (const name of CANDIDATES) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}

/** Headless flags for a sandboxed machine with no network beyond loopback. */
export const HEADLESS_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];

/**
 * `it` when Chromium is there; without it, `it.skip` and one line saying what was not checked
 * (a failure under CI=true, where .ci/run installs it).
 */
export function browserTest(what: string): { test: TestFn; executablePath: string } {
  const executablePath = findChromium();
  const test = testNeedingTool(
    executablePath !== undefined,
    what,
    'no Chromium on PATH; install it, e.g. `sudo apt-get install chromium`, or set CHROMIUM_PATH',
  );
  return { test, executablePath: executablePath ?? '' };
}
