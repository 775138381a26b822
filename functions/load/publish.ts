import type { ObjectStore } from '../commons/clients/object-store';
import { keys } from '../commons/domain/keys';

export interface PublishResult {
  readonly csvKey: string;
  /** False when a partial run found a file for the date already there and kept it. */
  readonly published: boolean;
  /** False when a newer date already holds `latest/` (a backfill of an older date never replaces it). */
  readonly latestUpdated: boolean;
}

export interface SnapshotToPublish {
  readonly snapshotDate: string;
  readonly runId: string;
  /** False when some playlists of the run failed. */
  readonly complete: boolean;
}

const SNAPSHOT_DATE_METADATA = 'snapshot-date';

/**
 * Writes the date's CSV (one PutObject: readers see the old or the new file, never a mix or a
 * duplicate) and then points `latest/` at it if this is the newest date the bucket has. A partial
 * run writes only if the date has no file yet: the file already there may be the complete one.
 */
export async function publishCsv(
  store: ObjectStore,
  snapshot: SnapshotToPublish,
  csv: string,
): Promise<PublishResult> {
  const { snapshotDate, runId } = snapshot;
  const options = {
    contentType: 'text/csv; charset=utf-8',
    metadata: { [SNAPSHOT_DATE_METADATA]: snapshotDate, 'run-id': runId },
  };
  const csvKey = keys.curatedCsv(snapshotDate);
  if (!snapshot.complete) {
    const existing = await store.getMetadata(csvKey);
    // A retry of this same run's Load finds its own file: that one may be replaced.
    if (existing !== undefined && existing['run-id'] !== runId) {
      return { csvKey, published: false, latestUpdated: false };
    }
  }
  await store.putText(csvKey, csv, options);

  const latest = await store.getMetadata(keys.latestCsv());
  const latestDate = latest?.[SNAPSHOT_DATE_METADATA];
  const latestUpdated = latestDate === undefined || latestDate <= snapshotDate;
  if (latestUpdated) await store.putText(keys.latestCsv(), csv, options);
  return { csvKey, published: true, latestUpdated };
}
