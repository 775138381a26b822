import type { NormalizedDocument } from '../commons/domain/staging-documents';

export interface QualityBounds {
  /** Fewest rows a ranked source may yield (recently played may have none new). */
  readonly minRowsPerSource: number;
  /** Most rows a source may yield: a guard against runaway paging. */
  readonly maxRowsPerSource: number;
}

/**
 * Checks one source's rows before anything curated is written. Returns every violation (empty when
 * the rows may be published) so a failure report names all problems at once, not the first.
 */
export function checkQuality(document: NormalizedDocument, bounds: QualityBounds): string[] {
  const violations: string[] = [];
  const rows = document.records.length;
  const min = document.dataset === 'recently_played' ? 0 : bounds.minRowsPerSource;
  if (rows < min || rows > bounds.maxRowsPerSource) {
    violations.push(`${rows} rows, outside the allowed ${min}..${bounds.maxRowsPerSource}`);
  }
  if (document.dataset === 'top_tracks') {
    let previous = 0;
    document.records.forEach((record, index) => {
      if (record.snapshot_date !== document.snapshotDate)
        violations.push(
          `row ${index + 1}: snapshot_date ${record.snapshot_date} is not the run's ${document.snapshotDate}`,
        );
      if (record.source !== document.source)
        violations.push(`row ${index + 1}: source ${record.source} is not ${document.source}`);
      if (record.rank <= previous)
        violations.push(`row ${index + 1}: rank ${record.rank} follows rank ${previous}`);
      previous = Math.max(previous, record.rank);
    });
  }
  return violations;
}
