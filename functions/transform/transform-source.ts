import type { ObjectStore } from '../commons/clients/object-store';
import { keys, parseRawKey } from '../commons/domain/keys';
import type { RunParameters } from '../commons/domain/run';
import type { SourceRef } from '../commons/domain/sources';
import { normalizedDocumentSchema, type NormalizedDocument } from '../commons/domain/staging-documents';
import { StagingObjectInvalid, StagingObjectMissing } from '../commons/errors';
import { readRaw } from '../commons/staging';
import { mergePlays, playRows } from '../datasets/recently-played';
import { rankedRows } from '../datasets/top-tracks';
import { readerFor } from '../sources';

/** Builds the source's rows from its raw document; the same code serves a run and a replay. */
export function normalize(
  source: SourceRef,
  run: RunParameters,
  raw: { payload: unknown; snapshotDate: string },
  describe: string,
): NormalizedDocument {
  const read = readerFor(source.kind).read(raw.payload, source);
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
      corrected: built.corrected,
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
    corrected: built.corrected,
    records: built.records,
  };
}

/**
 * The raw answers a replay of one source and date rebuilds from: the day's last answer for a
 * ranked source (the one whose rows the day kept), every answer for plays (each run saw others).
 */
export async function archivedRawKeys(
  store: ObjectStore,
  source: SourceRef,
  snapshotDate: string,
): Promise<string[]> {
  const prefix = `${keys.rawDatePrefix(snapshotDate)}source=${source.slug}/`;
  const found = (await store.list(prefix)).filter((object) => parseRawKey(object.key) !== undefined);
  if (found.length === 0) {
    throw new StagingObjectMissing(
      `Nothing under ${store.describe(prefix)} to replay: the raw answers were deleted or expired by the archive's retention.`,
    );
  }
  if (source.dataset === 'recently_played') return found.map((object) => object.key).sort();
  const [latest] = [...found].sort(
    (a, b) => b.lastModified.getTime() - a.lastModified.getTime() || b.key.localeCompare(a.key),
  );
  return latest ? [latest.key] : [];
}

/** Several answers of one source become one document: their rows together, counted together. */
function combine(documents: readonly NormalizedDocument[]): NormalizedDocument | undefined {
  const [first, ...rest] = documents;
  if (!first || rest.length === 0) return first;
  const skipped = { ...first.skipped };
  const corrected = { ...first.corrected };
  for (const document of rest) {
    for (const reason of Object.keys(skipped) as (keyof typeof skipped)[])
      skipped[reason] += document.skipped[reason];
    for (const correction of Object.keys(corrected) as (keyof typeof corrected)[])
      corrected[correction] += document.corrected[correction];
  }
  const common = {
    ...first,
    itemsSeen: documents.reduce((sum, document) => sum + document.itemsSeen, 0),
    skipped,
    corrected,
    enrichmentUnavailable: [...new Set(documents.flatMap((document) => document.enrichmentUnavailable))],
  };
  if (first.dataset === 'recently_played') {
    const plays = documents.flatMap((document) =>
      document.dataset === 'recently_played' ? document.records : [],
    );
    // The same play seen by two runs is one row (Load's merge would also keep it once).
    return { ...common, dataset: 'recently_played', records: mergePlays([], plays).plays };
  }
  return first;
}

export async function transformSource(
  store: ObjectStore,
  run: RunParameters,
  source: SourceRef,
  rawKeys: readonly string[],
) {
  const documents: NormalizedDocument[] = [];
  for (const rawKey of rawKeys) {
    const raw = await readRaw(store, rawKey);
    documents.push(normalize(source, run, raw, store.describe(rawKey)));
  }
  const document = combine(documents);
  const [firstKey = ''] = rawKeys;
  if (!document) throw new StagingObjectMissing(`No raw answer to transform for ${source.ref}.`);
  // Checked with the schema Load reads, so "written by another version" is only ever said when true.
  const checked = normalizedDocumentSchema.safeParse(document);
  if (!checked.success) {
    throw new StagingObjectInvalid(
      `Transform built rows that do not match the ${source.dataset} schema (${checked.error.issues[0]?.message ?? ''} at ` +
        `${checked.error.issues[0]?.path.join('.') ?? ''}); this is a bug, please report it with ${store.describe(firstKey)}.`,
    );
  }
  const normalizedKey = keys.normalized(run.runId, source, firstKey);
  await store.putText(normalizedKey, JSON.stringify(document), { contentType: 'application/json' });
  return {
    normalizedKey,
    records: document.records.length,
    itemsSeen: document.itemsSeen,
    skipped: document.skipped,
    corrected: document.corrected,
    enrichmentUnavailable: document.enrichmentUnavailable,
  };
}
