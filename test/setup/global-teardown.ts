import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const shared = process.env.SPOTIFY_ETL_TEST_SHARED_DIR;
  if (shared) await rm(shared, { recursive: true, force: true });
}
