import type { ObjectStore } from '../commons/clients/object-store';
import { updateConditionally } from '../commons/conditional-update';
import { advanceCursor } from '../commons/cursor';
import { keys } from '../commons/domain/keys';
import type { SourceRef } from '../commons/domain/sources';
import type { NormalizedDocument } from '../commons/domain/staging-documents';
import { StagingObjectInvalid } from '../commons/errors';
import { parseCsv, renderCsv, type CsvOptions } from '../datasets/csv';
import {
  mergePlays,
  playRecordSchema,
  playsByDay,
  RECENTLY_PLAYED,
  type MergeStats,
  type PlayRecord,
} from '../datasets/recently-played';
import { TOP_TRACKS } from '../datasets/top-tracks';

export interface Published {
  readonly keys: string[];
  readonly latestUpdated: boolean;
  /** recently_played: what the plays changed, summed over the days they fell on. */
  readonly plays?: MergeStats;
}

const CSV = 'text/csv; charset=utf-8';
const SNAPSHOT_DATE_METADATA = 'snapshot-date';

/**
 * A top_tracks source's rows for the date, as its own object (one PutObject: readers see the old
 * or the new file), then `latest/` for that source if no newer date holds it. `latest/` is updated
 * with a conditional write, so two overlapping runs can never leave it on the older date.
 */
async function publishRanked(
  store: ObjectStore,
  source: SourceRef,
  document: Extract<NormalizedDocument, { dataset: 'top_tracks' }>,
  options: CsvOptions,
): Promise<Published> {
  const csv = renderCsv(TOP_TRACKS, document.records, options);
  const metadata = { [SNAPSHOT_DATE_METADATA]: document.snapshotDate, 'run-id': document.runId };
  const csvKey = keys.topTracksCsv(document.snapshotDate, source);
  await store.putText(csvKey, csv, { contentType: CSV, metadata });
  const latestKey = keys.latestTopTracksCsv(source);
  const outcome = await updateConditionally(store, latestKey, (current) => {
    const latestDate = current?.metadata[SNAPSHOT_DATE_METADATA];
    if (latestDate !== undefined && latestDate > document.snapshotDate) return undefined;
    if (current?.text === csv) return undefined;
    return { body: csv, options: { contentType: CSV, metadata } };
  });
  const latest = await store.getMetadata(latestKey);
  return {
    keys: [csvKey],
    latestUpdated: outcome === 'written' || latest?.[SNAPSHOT_DATE_METADATA] === document.snapshotDate,
  };
}

function parseDay(text: string, key: string, store: ObjectStore, options: CsvOptions): PlayRecord[] {
  try {
    return parseCsv(RECENTLY_PLAYED, text, options).map((row) => playRecordSchema.parse(row));
  } catch (error) {
    throw new StagingObjectInvalid(
      `${store.describe(key)} is not a recently_played file this pipeline can merge into ` +
        `(${error instanceof Error ? error.message.slice(0, 200) : String(error)}); move it aside and re-run.`,
    );
  }
}

/**
 * Plays are merged into the file of the day they ended on: every play once, whatever runs or
 * imports reported it, each day rewritten with a conditional write and merged again on a conflict.
 * The API's cursor moves only after every day is written, and only for the API's own plays (an
 * export's newest play says nothing about what the API has already been asked for).
 */
async function publishPlays(
  store: ObjectStore,
  source: SourceRef,
  document: Extract<NormalizedDocument, { dataset: 'recently_played' }>,
  options: CsvOptions,
): Promise<Published> {
  const written: string[] = [];
  const totals = { added: 0, mergedWithApi: 0, alreadyPresent: 0 };
  for (const [day, plays] of [...playsByDay(document.records)].sort(([a], [b]) => a.localeCompare(b))) {
    const key = keys.playsCsv(day);
    let stats: MergeStats | undefined;
    await updateConditionally(store, key, (current) => {
      const existing = current ? parseDay(current.text, key, store, options) : [];
      const merged = mergePlays(existing, plays);
      stats = merged.stats;
      const csv = renderCsv(RECENTLY_PLAYED, merged.plays, options);
      return current?.text === csv ? undefined : { body: csv, options: { contentType: CSV } };
    });
    totals.added += stats?.added ?? 0;
    totals.mergedWithApi += stats?.mergedWithApi ?? 0;
    totals.alreadyPresent += stats?.alreadyPresent ?? 0;
    written.push(key);
  }
  if (source.kind !== 'recently_played') return { keys: written, latestUpdated: false, plays: totals };
  const newest = document.records.reduce<string | undefined>(
    (latest, play) => (latest === undefined || play.played_at > latest ? play.played_at : latest),
    undefined,
  );
  if (newest) await advanceCursor(store, newest, document.runId);
  return { keys: written, latestUpdated: false, plays: totals };
}

export function publish(
  store: ObjectStore,
  source: SourceRef,
  document: NormalizedDocument,
  options: CsvOptions,
): Promise<Published> {
  return document.dataset === 'top_tracks'
    ? publishRanked(store, source, document, options)
    : publishPlays(store, source, document, options);
}
