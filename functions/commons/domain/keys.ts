import { STREAMING_HISTORY, type SourceRef } from './sources';

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
 * - inbox/      streaming-history exports uploaded for an import, one folder per import; deleted
 *               once imported (their plays are kept, privacy fields removed, under raw/)
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
  inbox: 'inbox/',
} as const;

/** An import's folder: `inbox/<import id>/`, the id made of letters, digits, `.`, `_` and `-`. */
export const INBOX_FOLDER_PATTERN = /^inbox\/[A-Za-z0-9._-]{1,100}\/$/;

/** Spotify's answer for one source in one run, gzipped JSON: the archive a replay rebuilds from. */
const raw = (snapshotDate: string, source: SourceRef, runId: string) =>
  `${PREFIXES.raw}snapshot_date=${snapshotDate}/source=${source.slug}/run=${runId}.json.gz`;

export const keys = {
  raw,
  /** One file of a streaming-history import, as archived: one raw object per file, numbered from 1. */
  importedFileRaw: (snapshotDate: string, runId: string, fileIndex: number) =>
    raw(snapshotDate, STREAMING_HISTORY, `${runId}.file-${String(fileIndex + 1).padStart(3, '0')}`),
  rawDatePrefix: (snapshotDate: string) => `${PREFIXES.raw}snapshot_date=${snapshotDate}/`,
  /** Rows built from one raw answer; a replay execution builds several per source, one per answer. */
  normalized: (runId: string, source: SourceRef, rawKey: string) =>
    `${PREFIXES.staging}run=${runId}/source=${source.slug}/${rawPartOf(rawKey)}records.json`,
  /** A top_tracks source's rows for one date: its own object, so sources never overwrite each other. */
  topTracksCsv: (snapshotDate: string, source: SourceRef) =>
    `${PREFIXES.topTracks}snapshot_date=${snapshotDate}/${source.slug}.csv`,
  latestTopTracksCsv: (source: SourceRef) => `${PREFIXES.latest}top_tracks/${source.slug}.csv`,
  /** Every play of one UTC day, whatever run or import reported it. */
  playsCsv: (playedDate: string) => `${PREFIXES.recentlyPlayed}played_date=${playedDate}/plays.csv`,
  recentlyPlayedCursor: () => `${PREFIXES.state}recently_played/cursor.json`,
  inboxFolder: (importId: string) => `${PREFIXES.inbox}${importId}/`,
  runManifest: (snapshotDate: string, runId: string) =>
    `${PREFIXES.runs}snapshot_date=${snapshotDate}/run=${runId}/manifest.json`,
};

/** `snapshot_date=D/run=R/` of a raw key (where the rows came from), or nothing for another key. */
function rawPartOf(rawKey: string): string {
  const match = /^raw\/(snapshot_date=[^/]+)\/source=[^/]+\/(run=[^/]+?)\.json(\.gz)?$/.exec(rawKey);
  return match ? `${match[1] ?? ''}/${match[2] ?? ''}/` : '';
}

/** The parts of a raw key: the snapshot date, the source's slug and the run that fetched it. */
export function parseRawKey(key: string): { snapshotDate: string; slug: string; runId: string } | undefined {
  const match = /^raw\/snapshot_date=(\d{4}-\d{2}-\d{2})\/source=([^/]+)\/run=([^/]+)\.json\.gz$/.exec(key);
  return match?.[1] && match[2] && match[3]
    ? { snapshotDate: match[1], slug: match[2], runId: match[3] }
    : undefined;
}

/** Execution names may hold characters we do not want in keys; keep them readable and safe. */
export function toRunId(executionName: string): string {
  const cleaned = executionName.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 80);
  return cleaned.length > 0 ? cleaned : 'run';
}
