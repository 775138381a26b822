import { planConfig } from '../commons/config';
import { planRun } from '../commons/domain/run';
import { countMetric, logger, wrapStep } from '../commons/observability';
import { replayItems, type PlanItem } from './replay-items';

/**
 * Step 0: validate the execution input and list the run's sources. Each source then gets its own
 * Map iteration (Extract, Transform, Load), so one source's failure or retry never touches another's;
 * a replay lists one iteration per archived source and date instead.
 */
async function plan(event: unknown) {
  const config = planConfig(process.env);
  const { run, sources, replay } = planRun(event, config);
  logger.appendKeys({ runId: run.runId, snapshotDate: run.snapshotDate });
  let items: PlanItem[];
  if (replay) {
    // Only a replay reads the bucket: a plain run's Plan loads no AWS SDK at all.
    const { objectStore } = await import('../commons/clients/storage');
    items = await replayItems(objectStore(), replay, sources);
  } else {
    items = sources.map((source) => ({ source, replay: null }));
  }
  countMetric('SourcesPlanned', items.length);
  logger.info('Planned', { sources: items.map((item) => item.source.ref), replay });
  return { run, items, concurrency: config.concurrency };
}

export const handler = wrapStep(plan);
