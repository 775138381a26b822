import type { SpotifyCatalog } from '../commons/clients/spotify/catalog';
import type { ObjectStore } from '../commons/clients/object-store';
import { readCursor } from '../commons/cursor';
import { keys } from '../commons/domain/keys';
import type { RunParameters } from '../commons/domain/run';
import type { SourceRef } from '../commons/domain/sources';
import { rawSourceDocumentSchema, type RawSourceDocument } from '../commons/domain/staging-documents';
import { adapterFor } from '../sources';

export interface ExtractedSource {
  readonly rawKey: string;
  readonly entries: number;
  readonly apiMode: string;
  /** Staged by an earlier attempt of this execution and reused. */
  readonly resumed: boolean;
}

/**
 * A source this run already staged (an earlier attempt that Step Functions retried) is not fetched
 * again: a retry after a rate limit or an outage resumes where the last attempt stopped.
 */
async function alreadyStaged(store: ObjectStore, rawKey: string): Promise<ExtractedSource | undefined> {
  const text = await store.getText(rawKey);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined; // a damaged object is fetched again and overwritten
  }
  const staged = rawSourceDocumentSchema.safeParse(json);
  if (!staged.success) return undefined;
  return { rawKey, entries: staged.data.entries, apiMode: staged.data.apiMode, resumed: true };
}

/** Fetches one source through its adapter and keeps Spotify's answer under raw/. */
export async function extractSource(
  deps: { catalog: SpotifyCatalog; store: ObjectStore; now?: () => Date },
  run: RunParameters,
  source: SourceRef,
): Promise<ExtractedSource> {
  const now = deps.now ?? (() => new Date());
  const rawKey = keys.raw(run.snapshotDate, source, run.runId);
  const resumed = await alreadyStaged(deps.store, rawKey);
  if (resumed) return resumed;
  const adapter = adapterFor(source.kind);
  const afterMs = source.kind === 'recently_played' ? await readCursor(deps.store) : undefined;
  const fetched = await adapter.fetch(deps.catalog, source, afterMs === undefined ? {} : { afterMs });
  const document: RawSourceDocument = {
    schemaVersion: 2,
    source: source.ref,
    kind: source.kind,
    snapshotDate: run.snapshotDate,
    runId: run.runId,
    fetchedAt: now().toISOString(),
    sourceName: fetched.sourceName,
    apiMode: fetched.apiMode,
    entries: fetched.entries,
    payload: fetched.payload,
  };
  await deps.store.putText(rawKey, JSON.stringify(document), { contentType: 'application/json' });
  return { rawKey, entries: fetched.entries, apiMode: fetched.apiMode, resumed: false };
}
