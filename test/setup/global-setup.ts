import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * One folder per jest run for what test files share across workers (packaged templates) and for
 * the caches of the processes the tests start; global-teardown removes it.
 */
export default async function globalSetup(): Promise<void> {
  const shared = await mkdtemp(path.join(tmpdir(), 'spotify-etl-tests-'));
  process.env.SPOTIFY_ETL_TEST_SHARED_DIR = shared;
  // Each `sls` command compiles the framework's configuration schema into a validator and caches
  // it under $HOME, which every packaging replaces by a temporary one: one cache for the run
  // instead of one compile (about 2 s of CPU) per command.
  process.env.SLS_SCHEMA_CACHE_BASE_DIR = path.join(shared, 'sls-schema-cache');
  // Node's compile cache for the processes the tests start (sls, tsx, the jest workers): each of
  // them loads the same thousands of modules.
  process.env.NODE_COMPILE_CACHE = path.join(shared, 'node-compile-cache');
  // The local runner's own cache (validated state machines) goes there too, not into node_modules.
  process.env.SPOTIFY_ETL_CACHE_DIR = path.join(shared, 'spotify-etl-cache');
  // Whatever the workers and the processes they start put in the system temporary folder (the
  // tests' own folders, sls's packaging folders, tsx's cache and pipes) lands in this run's folder,
  // which global-teardown removes: a run leaves nothing behind, even when a test is killed.
  for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = shared;
}
