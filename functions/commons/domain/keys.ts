import type { SourceRef } from './sources';

/**
 * The bucket's key layout, in one place. Users query `curated/` (Hive-style partitions) and read
 * `latest/` and `runs/`, so these paths are a public interface: change them only with a note in
 * the README.
 *
 * - raw/        what Spotify answered, per source and snapshot date, one object per run
 * - staging/    per-execution working files (normalized records); expire after two weeks
 * - curated/    the datasets: one object per source per date (top_tracks), one per day (recently_played)
 * - latest/     the newest snapshot of each top_tracks source
 * - runs/       one manifest per execution
 * - state/      what the pipeline remembers between runs (the recently-played cursor)
 */
export const PREFIXES = {
  raw: 'raw/',
  staging: 'staging/',
  curated: 'curated/',
  topTracks: 'curated/top_tracks/',
  recentlyPlayed: 'curated/recently_played/',
  latest: 'latest/',
  runs: 'runs/',
  state: 'state/',
} as const;

export const keys = {
  raw: (snapshotDate: string, source: SourceRef, runId: string) =>
    `${PREFIXES.raw}snapshot_date=${snapshotDate}/source=${source.slug}/run=${runId}.json`,
  normalized: (runId: string, source: SourceRef) =>
    `${PREFIXES.staging}run=${runId}/source=${source.slug}/records.json`,
  /** A top_tracks source's rows for one date: its own object, so sources never overwrite each other. */
  topTracksCsv: (snapshotDate: string, source: SourceRef) =>
    `${PREFIXES.topTracks}snapshot_date=${snapshotDate}/${source.slug}.csv`,
  latestTopTracksCsv: (source: SourceRef) => `${PREFIXES.latest}top_tracks/${source.slug}.csv`,
  /** Every play of one UTC day, whatever run or import reported it. */
  playsCsv: (playedDate: string) => `${PREFIXES.recentlyPlayed}played_date=${playedDate}/plays.csv`,
  recentlyPlayedCursor: () => `${PREFIXES.state}recently_played/cursor.json`,
  runManifest: (snapshotDate: string, runId: string) =>
    `${PREFIXES.runs}snapshot_date=${snapshotDate}/run=${runId}/manifest.json`,
};

/** Execution names may hold characters we do not want in keys; keep them readable and safe. */
export function toRunId(executionName: string): string {
  const cleaned = executionName.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 80);
  return cleaned.length > 0 ? cleaned : 'run';
}
