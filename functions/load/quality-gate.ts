import type { TopTrackRecord } from '../commons/domain/top-track-record';

export interface QualityBounds {
  /** Fewest rows a successfully extracted playlist may yield. */
  readonly minRowsPerPlaylist: number;
  /** Most rows a playlist may yield: a guard against runaway paging. */
  readonly maxRowsPerPlaylist: number;
}

const REQUIRED_TEXT: readonly (keyof TopTrackRecord)[] = [
  'snapshot_date',
  'playlist_id',
  'track_id',
  'track_name',
];

/**
 * Checks the records before anything curated is written. Returns every violation (empty when the
 * data may be published) so a failure report names all problems at once, not the first.
 */
export function checkQuality(
  records: readonly TopTrackRecord[],
  expectedPlaylists: readonly string[],
  snapshotDate: string,
  bounds: QualityBounds,
): string[] {
  const violations: string[] = [];
  const byPlaylist = new Map<string, TopTrackRecord[]>(expectedPlaylists.map((id) => [id, []]));

  records.forEach((record, index) => {
    const missing = REQUIRED_TEXT.filter((field) => record[field] === '');
    if (missing.length > 0)
      violations.push(`row ${index + 1}: required field(s) empty: ${missing.join(', ')}`);
    if (record.artist_names.length === 0) violations.push(`row ${index + 1}: no artist names`);
    if (record.snapshot_date !== snapshotDate)
      violations.push(
        `row ${index + 1}: snapshot_date ${record.snapshot_date} is not the run's ${snapshotDate}`,
      );
    const rows = byPlaylist.get(record.playlist_id);
    if (rows) rows.push(record);
    else violations.push(`row ${index + 1}: playlist ${record.playlist_id} was not part of this run`);
  });

  for (const [playlistId, rows] of byPlaylist) {
    if (rows.length < bounds.minRowsPerPlaylist || rows.length > bounds.maxRowsPerPlaylist) {
      violations.push(
        `playlist ${playlistId}: ${rows.length} rows, outside the allowed ${bounds.minRowsPerPlaylist}..${bounds.maxRowsPerPlaylist}`,
      );
    }
    const ranks = new Set<number>();
    let previous = 0;
    for (const row of rows) {
      if (ranks.has(row.rank))
        violations.push(`playlist ${playlistId}: rank ${row.rank} appears more than once`);
      else if (row.rank <= previous)
        violations.push(
          `playlist ${playlistId}: rank ${row.rank} follows rank ${previous}, not in playlist order`,
        );
      ranks.add(row.rank);
      previous = Math.max(previous, row.rank);
    }
  }
  return violations;
}
