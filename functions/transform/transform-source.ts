import type { ObjectStore } from '../commons/clients/object-store';
import { keys } from '../commons/domain/keys';
import type { RunParameters } from '../commons/domain/run';
import type { SourceRef } from '../commons/domain/sources';
import {
  normalizedDocumentSchema,
  rawSourceDocumentSchema,
  type NormalizedDocument,
} from '../commons/domain/staging-documents';
import { StagingObjectInvalid } from '../commons/errors';
import { readStaged } from '../commons/staging';
import { playRows } from '../datasets/recently-played';
import { rankedRows } from '../datasets/top-tracks';
import { adapterFor } from '../sources';

/** Builds the source's rows from its raw document; the same code serves a run and a replay. */
export function normalize(
  source: SourceRef,
  run: RunParameters,
  raw: { payload: unknown; snapshotDate: string },
  describe: string,
): NormalizedDocument {
  const read = adapterFor(source.kind).read(raw.payload, source);
  if ('problem' in read) {
    throw new StagingObjectInvalid(
      `Raw object ${describe} does not hold a ${source.kind} answer (${read.problem}); it was written by another ` +
        'version of the pipeline. Start a new execution.',
    );
  }
  const common = {
    schemaVersion: 2 as const,
    source: source.ref,
    sourceName: read.sourceName,
    snapshotDate: raw.snapshotDate,
    runId: run.runId,
    enrichmentUnavailable: [...read.enrichments.unavailable],
  };
  if (source.dataset === 'recently_played') {
    const built = playRows(read.entries);
    return {
      ...common,
      dataset: 'recently_played',
      itemsSeen: built.itemsSeen,
      skipped: built.skipped,
      records: built.records,
    };
  }
  const built = rankedRows({
    source,
    sourceName: read.sourceName,
    snapshotDate: raw.snapshotDate,
    entries: read.entries,
    enrichments: read.enrichments,
  });
  return {
    ...common,
    dataset: 'top_tracks',
    itemsSeen: built.itemsSeen,
    skipped: built.skipped,
    records: built.records,
  };
}

export async function transformSource(
  store: ObjectStore,
  run: RunParameters,
  source: SourceRef,
  rawKey: string,
) {
  const raw = await readStaged(store, rawKey, rawSourceDocumentSchema);
  const document = normalize(source, run, raw, store.describe(rawKey));
  // Checked with the schema Load reads, so "written by another version" is only ever said when true.
  const checked = normalizedDocumentSchema.safeParse(document);
  if (!checked.success) {
    throw new StagingObjectInvalid(
      `Transform built rows that do not match the ${source.dataset} schema (${checked.error.issues[0]?.message ?? ''} at ` +
        `${checked.error.issues[0]?.path.join('.') ?? ''}); this is a bug, please report it with ${store.describe(rawKey)}.`,
    );
  }
  const normalizedKey = keys.normalized(run.runId, source);
  await store.putText(normalizedKey, JSON.stringify(document), { contentType: 'application/json' });
  return {
    normalizedKey,
    records: document.records.length,
    itemsSeen: document.itemsSeen,
    skipped: document.skipped,
    enrichmentUnavailable: document.enrichmentUnavailable,
  };
}
