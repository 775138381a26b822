import type { SpotifyCatalog } from '../commons/clients/spotify/catalog';
import type { ObjectStore } from '../commons/clients/object-store';
import { readCursor } from '../commons/cursor';
import { keys } from '../commons/domain/keys';
import type { RunParameters } from '../commons/domain/run';
import type { SourceRef } from '../commons/domain/sources';
import type { RawSourceDocument } from '../commons/domain/staging-documents';
import { readRawIfPresent, writeRaw } from '../commons/staging';
import { InvalidInputError } from '../commons/errors';
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
  // A damaged object is fetched again and overwritten.
  const staged = await readRawIfPresent(store, rawKey).catch(() => undefined);
  if (!staged) return undefined;
  return { rawKey, entries: staged.entries, apiMode: staged.apiMode, resumed: true };
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
  if (source.kind === 'streaming_history') {
    throw new InvalidInputError(
      `${source.ref} is imported from the files Spotify sends you, not fetched: run \`npm run import:history\`.`,
    );
  }
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
  await writeRaw(deps.store, rawKey, document);
  return { rawKey, entries: fetched.entries, apiMode: fetched.apiMode, resumed: false };
}
