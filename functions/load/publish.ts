import type { ObjectStore } from '../commons/clients/object-store';
import { keys } from '../commons/domain/keys';

export interface PublishResult {
  readonly csvKey: string;
  /** False when a newer date already holds `latest/` (a backfill of an older date never replaces it). */
  readonly latestUpdated: boolean;
}

const SNAPSHOT_DATE_METADATA = 'snapshot-date';

/**
 * Writes the date's CSV (one PutObject: readers see the old or the new file, never a mix or a
 * duplicate) and then points `latest/` at it if this is the newest date the bucket has.
 */
export async function publishCsv(
  store: ObjectStore,
  snapshotDate: string,
  runId: string,
  csv: string,
): Promise<PublishResult> {
  const metadata = { [SNAPSHOT_DATE_METADATA]: snapshotDate, 'run-id': runId };
  const options = { contentType: 'text/csv; charset=utf-8', metadata };
  const csvKey = keys.curatedCsv(snapshotDate);
  await store.putText(csvKey, csv, options);

  const latest = await store.getMetadata(keys.latestCsv());
  const latestDate = latest?.[SNAPSHOT_DATE_METADATA];
  const latestUpdated = latestDate === undefined || latestDate <= snapshotDate;
  if (latestUpdated) await store.putText(keys.latestCsv(), csv, options);
  return { csvKey, latestUpdated };
}
