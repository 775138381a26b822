import { CSV_FILE_NAME } from '../constants';

/**
 * The bucket's key layout, in one place. Users query `curated/` (Hive-style partitions), so these
 * paths are a public interface: change them only with a note in the README.
 */
export const PREFIXES = {
  staging: 'staging/',
  curated: 'curated/top_tracks/',
  latest: 'latest/',
  runs: 'runs/',
} as const;

function runPrefix(snapshotDate: string, runId: string): string {
  return `${PREFIXES.staging}snapshot_date=${snapshotDate}/run=${runId}/`;
}

export const keys = {
  raw: (snapshotDate: string, runId: string, playlistId: string) =>
    `${runPrefix(snapshotDate, runId)}raw/${playlistId}.json`,
  normalized: (snapshotDate: string, runId: string) =>
    `${runPrefix(snapshotDate, runId)}normalized/records.json`,
  curatedCsv: (snapshotDate: string) => `${PREFIXES.curated}snapshot_date=${snapshotDate}/${CSV_FILE_NAME}`,
  latestCsv: () => `${PREFIXES.latest}${CSV_FILE_NAME}`,
  /** The manifest of the run whose CSV the date currently holds. */
  manifest: (snapshotDate: string) => `${PREFIXES.runs}snapshot_date=${snapshotDate}/manifest.json`,
  /** Every run's own manifest, published or not. */
  runManifest: (snapshotDate: string, runId: string) =>
    `${PREFIXES.runs}snapshot_date=${snapshotDate}/run=${runId}/manifest.json`,
};

/** Execution names may hold characters we do not want in keys; keep them readable and safe. */
export function toRunId(executionName: string): string {
  const cleaned = executionName.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 80);
  return cleaned.length > 0 ? cleaned : 'run';
}
