import { planConfig } from '../commons/config';
import { planRun } from '../commons/domain/run';
import { countMetric, logger, wrapStep } from '../commons/observability';
import { importFiles, type ImportPlan } from './import-files';
import { replayItems, type PlanItem } from './replay-items';

/**
 * Step 0: validate the execution input and list the run's sources. Each source then gets its own
 * Map iteration (Extract, Transform, Load), so one source's failure or retry never touches another's;
 * a replay lists one iteration per archived source and date instead, and an import the files it
 * was given (ImportFile archives each, and their iterations then replay them).
 */
async function plan(event: unknown) {
  const config = planConfig(process.env);
  const { run, sources, replay, import: request } = planRun(event, config);
  logger.appendKeys({ runId: run.runId, snapshotDate: run.snapshotDate });
  let items: PlanItem[] = [];
  let imported: ImportPlan | null = null;
  if (replay || request) {
    // Only a replay or an import reads the bucket: a plain run's Plan loads no AWS SDK at all.
    const { objectStore } = await import('../commons/clients/storage');
    if (request) imported = await importFiles(objectStore(), request);
    else if (replay) items = await replayItems(objectStore(), replay, sources);
  } else {
    items = sources.map((source) => ({ source, replay: null }));
  }
  countMetric('SourcesPlanned', items.length + (imported?.files.length ?? 0));
  logger.info('Planned', {
    sources: items.map((item) => item.source.ref),
    replay,
    importFiles: imported?.files.map((file) => file.name),
  });
  return { run, items, concurrency: config.concurrency, import: imported };
}

export const handler = wrapStep(plan);
