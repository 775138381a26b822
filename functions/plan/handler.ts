import { planConfig } from '../commons/config';
import { planRun } from '../commons/domain/run';
import { countMetric, logger, wrapStep } from '../commons/observability';

/**
 * Step 0: validate the execution input and list the run's sources. Each source then gets its own
 * Map iteration (Extract, Transform, Load), so one source's failure or retry never touches another's.
 */
function plan(event: unknown) {
  const config = planConfig(process.env);
  const { run, sources } = planRun(event, config);
  logger.appendKeys({ runId: run.runId, snapshotDate: run.snapshotDate });
  countMetric('SourcesPlanned', sources.length);
  logger.info('Planned', { sources: sources.map((source) => source.ref) });
  return Promise.resolve({ run, sources, concurrency: config.concurrency });
}

export const handler = wrapStep(plan);
