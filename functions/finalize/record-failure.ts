import * as z from 'zod/mini';
import '../commons/validation';
import { WriteConflict, type ObjectStore } from '../commons/clients/object-store';
import { keys, toRunId } from '../commons/domain/keys';
import { utcDateOf } from '../commons/domain/snapshot-date';
import { causeMessage } from './manifest';

/** What the failure path passes: the execution, the error, and whatever state the run had reached. */
export const failureEventSchema = z.object({
  execution: z.object({ name: z.string(), startTime: z.string() }),
  state: z.looseObject({
    error: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
    plan: z.optional(
      z.looseObject({
        items: z.optional(z.array(z.looseObject({ source: z.looseObject({ ref: z.string() }) }))),
      }),
    ),
  }),
});

/**
 * An execution that failed before Finalize (bad input, the Map itself failing) still leaves its
 * manifest: the error, and the sources it had planned, none published. A manifest Finalize already
 * wrote (it names each source's outcome) is never replaced: the write is conditional on none existing.
 */
export async function recordFailure(store: ObjectStore, event: z.infer<typeof failureEventSchema>) {
  const startedAt = new Date(event.execution.startTime);
  const snapshotDate = Number.isNaN(startedAt.getTime()) ? 'unknown' : utcDateOf(startedAt);
  const runId = toRunId(event.execution.name);
  const manifestKey = keys.runManifest(snapshotDate, runId);
  const error = event.state.error ?? { Error: 'Unknown' };
  const manifest = {
    schemaVersion: 2,
    snapshotDate,
    runId,
    status: 'failed',
    startedAt: event.execution.startTime,
    finishedAt: new Date().toISOString(),
    error: { name: error.Error, message: causeMessage(error.Cause) },
    warnings: [],
    sources: (event.state.plan?.items ?? []).map((item) => ({
      source: item.source.ref,
      status: 'not_run',
      published: [],
    })),
    rowsWritten: 0,
    spotifyRequests: 0,
  };
  try {
    await store.putText(manifestKey, `${JSON.stringify(manifest, null, 2)}\n`, {
      contentType: 'application/json',
      ifNoneMatch: '*',
    });
    return { manifestKey, written: true };
  } catch (failure) {
    if (failure instanceof WriteConflict) return { manifestKey, written: false };
    throw failure;
  }
}
