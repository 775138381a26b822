import type { ObjectStore } from '../commons/clients/object-store';
import { keys, parseRawKey, PREFIXES } from '../commons/domain/keys';
import type { ReplayRange } from '../commons/domain/run';
import { isImported, sourceFromSlug, type SourceRef } from '../commons/domain/sources';
import { InvalidInputError } from '../commons/errors';

export interface PlanItem {
  readonly source: SourceRef;
  /**
   * A replay iteration rebuilds one source for one archived date, without calling Spotify; an
   * imported file is rebuilt on its own (`rawKey`), so an iteration's memory is one file's.
   */
  readonly replay: { readonly snapshotDate: string; readonly rawKey?: string } | null;
}

/**
 * One replay iteration per source and archived date in the range (the sources, if given, filter
 * what the archive holds), in date order: what Transform and Load rebuild, straight from raw/.
 */
export async function replayItems(
  store: ObjectStore,
  range: ReplayRange,
  only: readonly SourceRef[],
): Promise<PlanItem[]> {
  const wanted = new Set(only.map((source) => source.slug));
  const found = new Map<string, PlanItem>();
  const objects = await store.list(PREFIXES.raw, keys.rawDatePrefix(previousDay(range.from)));
  for (const { key } of objects) {
    const parsed = parseRawKey(key);
    if (!parsed || parsed.snapshotDate < range.from) continue;
    if (parsed.snapshotDate > range.to) break;
    const source = sourceFromSlug(parsed.slug);
    if (!source || (wanted.size > 0 && !wanted.has(source.slug))) continue;
    if (isImported(source)) {
      found.set(key, { source, replay: { snapshotDate: parsed.snapshotDate, rawKey: key } });
    } else {
      found.set(`${parsed.snapshotDate}|${source.slug}`, {
        source,
        replay: { snapshotDate: parsed.snapshotDate },
      });
    }
  }
  if (found.size === 0) {
    throw new InvalidInputError(
      `Nothing to replay: ${store.describe(PREFIXES.raw)} holds no raw answers from ${range.from} to ${range.to}` +
        `${wanted.size > 0 ? ` for ${[...wanted].join(', ')}` : ''}. Only dates the pipeline ran on can be rebuilt.`,
    );
  }
  return [...found.values()];
}

/** Keys sort by date, so listing after the day before the range starts at its first date. */
function previousDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}
