import { objectStore } from '../commons/clients/storage';
import { parseOrThrow } from '../commons/domain/run';
import { transformEventSchema } from '../commons/domain/step-events';
import { countMetric, logger, wrapStep } from '../commons/observability';
import { transformSource } from './transform-source';

/** Step 2 of a source's iteration: turn the raw answer into the rows of the source's dataset. */
async function transform(event: unknown) {
  const started = Date.now();
  const { run, source, extract } = parseOrThrow(
    transformEventSchema,
    event,
    'Transform event',
    'Run it from the state machine.',
  );
  logger.appendKeys({ runId: run.runId, snapshotDate: run.snapshotDate, source: source.ref });
  const summary = await transformSource(objectStore(), run, source, extract.rawKey);
  countMetric('ItemsSeen', summary.itemsSeen);
  countMetric(
    'ItemsSkipped',
    Object.values(summary.skipped).reduce((sum, count) => sum + count, 0),
  );
  logger.info('Transformed', { ...summary });
  return { ...summary, durationMs: Date.now() - started };
}

export const handler = wrapStep(transform);
