import { accessSync, constants } from 'node:fs';
import path from 'node:path';

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

type TestFn = (name: string, fn: () => Promise<void>, timeout?: number) => void;

/**
 * `it` when Chromium is there; without it, `it.skip` and one line saying what was not checked.
 * Under CI=true a missing browser is a failure, not a skip: CI installs it (.ci/run).
 */
export function browserTest(what: string): { test: TestFn; executablePath: string } {
  const executablePath = findChromium();
  if (executablePath) return { test: it, executablePath };
  if (process.env.CI === 'true') {
    const failing: TestFn = (name) =>
      it(name, () => {
        throw new Error(
          `CI=true but no Chromium on PATH (nor CHROMIUM_PATH): ${what} cannot be checked. .ci/run installs it.`,
        );
      });
    return { test: failing, executablePath: '' };
  }
  process.stderr.write(
    `skipped: ${what} (no Chromium on PATH; install it, e.g. \`sudo apt-get install chromium\`, or set CHROMIUM_PATH)\n`,
  );
  return { test: it.skip, executablePath: '' };
}
