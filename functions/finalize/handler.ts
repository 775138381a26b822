import { objectStore } from '../commons/clients/storage';
import { keys } from '../commons/domain/keys';
import { parseOrThrow } from '../commons/domain/run';
import { finalizeEventSchema } from '../commons/domain/step-events';
import { SourceFailed, SourcesFailed } from '../commons/errors';
import { countMetric, logger, wrapStep } from '../commons/observability';
import { claimDailyAlert } from './daily-alert';
import { buildManifest } from './manifest';
import { failureEventSchema, recordFailure } from './record-failure';

/**
 * The last step: one manifest for the whole execution (every source's outcome, published or not),
 * and the execution's own result: failed, naming each failed source, if any source failed. On the
 * failure path it records an execution that never reached it.
 */
async function finalize(event: unknown) {
  if (typeof event === 'object' && event !== null && 'failure' in event) {
    const failure = parseOrThrow(
      failureEventSchema,
      event.failure,
      'failure event',
      'Run it from the state machine.',
    );
    countMetric('ExecutionsFailed', 1);
    return recordFailure(objectStore(), failure);
  }
  const {
    run,
    outcomes,
    import: imported,
  } = parseOrThrow(finalizeEventSchema, event, 'Finalize event', 'Run it from the state machine.');
  logger.appendKeys({ runId: run.runId, snapshotDate: run.snapshotDate });
  const store = objectStore();
  const manifest = buildManifest(run, outcomes, new Date(), imported ?? null);
  const manifestKey = keys.runManifest(run.snapshotDate, run.runId);
  await store.putText(manifestKey, `${JSON.stringify(manifest, null, 2)}\n`, {
    contentType: 'application/json',
  });
  countMetric('SourcesFailed', outcomes.filter((outcome) => outcome.status === 'failed').length);
  for (const warning of manifest.warnings) logger.warn(warning);

  const failed = manifest.sources.filter((source) => source.status === 'failed');
  const [first] = failed;
  if (first && failed.length === outcomes.length && failed.every((source) => source.error === first.error)) {
    throw new SourceFailed(
      first.error,
      `${failed.length === 1 ? first.source : `All ${failed.length} sources`} failed: ${first.cause} ` +
        `(details in ${store.describe(manifestKey)})`,
    );
  }
  if (failed.length > 0) {
    throw new SourcesFailed(
      `${failed.length} of ${outcomes.length} sources failed; the others were published: ` +
        failed.map((source) => `${source.source}: ${source.error} (${source.cause})`).join('; ') +
        `. Each failed source's earlier data is untouched. Details in ${store.describe(manifestKey)}.`,
    );
  }
  // Every file is published (and archived under raw/): the uploads, privacy fields and all, can go.
  if (imported) for (const file of imported.files) await store.delete(file.key);
  // Warnings reach the alerts topic once a day, not with every hourly run.
  const alert =
    manifest.warnings.length > 0 && (await claimDailyAlert(store, 'warnings', run.snapshotDate))
      ? manifest.warnings.join('\n')
      : '';
  return {
    manifestKey,
    rowsWritten: manifest.rowsWritten,
    sources: manifest.sources.length,
    warnings: manifest.warnings.length,
    alert,
  };
}

export const handler = wrapStep(finalize);
