import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './project-files';

const run = promisify(execFile);

/** What `sls package` reads; the copy links node_modules instead of copying it. */
const PROJECT_ENTRIES = [
  'serverless.yml',
  'package.json',
  'tsconfig.json',
  'functions',
  'statemachines',
  'resources',
  'scripts/serverless',
];

export interface PackagedCopy {
  readonly templateJson: string;
  readonly zipSizes: Record<string, number>;
  /** The zips' contents, by function name (read before the copy is removed). */
  readonly zips: Record<string, Buffer>;
  /** serverless-esbuild's zip folders that the packaging left in its temporary folder. */
  readonly zipFoldersLeft: string[];
}

/** How serverless-esbuild names the folder it zips each artifact from: `<zip name>-<pid>-<ms>-<hex>`. */
const ESBUILD_ZIP_FOLDER = /^[\w.-]+-\d+-\d+-[0-9a-f]{8}$/;

/**
 * Runs `sls package` offline, with no AWS credentials, on a copy of the project in a temporary
 * folder: the framework deletes the service's own `.serverless/` and serverless-esbuild builds in
 * `.esbuild/`, so packaging in place would delete a user's artifacts and collide with another
 * package run. Everything it writes is removed before this returns.
 */
export async function packageServiceCopy(params: readonly string[] = []): Promise<PackagedCopy> {
  const root = await mkdtemp(path.join(tmpdir(), 'spotify-etl-package-'));
  try {
    const service = path.join(root, 'service');
    for (const entry of PROJECT_ENTRIES) {
      await cp(path.join(PROJECT_ROOT, entry), path.join(service, entry), { recursive: true });
    }
    await symlink(path.join(PROJECT_ROOT, 'node_modules'), path.join(service, 'node_modules'), 'dir');
    const out = path.join(root, 'out');
    const env = {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      // The framework keeps state under $HOME/.serverless: a temporary home leaves the user's alone.
      HOME: root,
      // serverless-esbuild zips each function from a folder in the system's temporary directory,
      // which it fails to remove (scripts/serverless/remove-esbuild-zip-folders.js does): in this
      // folder, the template tests can see that none is left, and none escapes if one were.
      TMPDIR: root,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      AWS_CONFIG_FILE: '/nonexistent',
    };
    const sls = path.join(PROJECT_ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');
    const args = ['package', '--package', out, ...params.flatMap((param) => ['--param', param])];
    await run(process.execPath, [sls, ...args], { cwd: service, env, timeout: 240_000 });
    const zipSizes: Record<string, number> = {};
    const zips: Record<string, Buffer> = {};
    for (const file of await readdir(out)) {
      if (!file.endsWith('.zip')) continue;
      const name = file.replace(/\.zip$/, '');
      zipSizes[name] = (await stat(path.join(out, file))).size;
      zips[name] = await readFile(path.join(out, file));
    }
    const templateJson = await readFile(path.join(out, 'cloudformation-template-update-stack.json'), 'utf8');
    const zipFoldersLeft = (await readdir(root)).filter((entry) => ESBUILD_ZIP_FOLDER.test(entry));
    return { templateJson, zipSizes, zips, zipFoldersLeft };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
