import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** One folder per jest run for what test files share across workers (packaged templates). */
export default async function globalSetup(): Promise<void> {
  process.env.SPOTIFY_ETL_TEST_SHARED_DIR = await mkdtemp(path.join(tmpdir(), 'spotify-etl-tests-'));
}
