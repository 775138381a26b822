import { objectStore } from '../commons/clients/storage';
import { parseOrThrow } from '../commons/domain/run';
import { transformEventSchema } from '../commons/domain/step-events';
import { countMetric, logger, wrapStep } from '../commons/observability';
import { archivedRawKeys, transformSource } from './transform-source';

/** Step 2 of a source's iteration: turn the raw answer (or, replaying, the archived ones) into rows. */
async function transform(event: unknown) {
  const started = Date.now();
  const { run, source, extract, replay } = parseOrThrow(
    transformEventSchema,
    event,
    'Transform event',
    'Run it from the state machine.',
  );
  logger.appendKeys({ runId: run.runId, snapshotDate: run.snapshotDate, source: source.ref });
  const store = objectStore();
  const rawKeys = replay?.rawKey
    ? [replay.rawKey]
    : replay
      ? await archivedRawKeys(store, source, replay.snapshotDate)
      : [extract.rawKey];
  const summary = await transformSource(store, run, source, rawKeys);
  countMetric('ItemsSeen', summary.itemsSeen);
  countMetric(
    'ItemsSkipped',
    Object.values(summary.skipped).reduce((sum, count) => sum + count, 0),
  );
  logger.info('Transformed', { ...summary });
  return { ...summary, durationMs: Date.now() - started };
}

export const handler = wrapStep(transform);
