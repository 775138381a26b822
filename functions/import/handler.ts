import * as z from 'zod/mini';
import '../commons/validation';
import { objectStore } from '../commons/clients/storage';
import { parseOrThrow, runParametersSchema } from '../commons/domain/run';
import { countMetric, logger, wrapStep } from '../commons/observability';
import { importFile } from './import-file';

const importFileEventSchema = z.object({
  run: runParametersSchema,
  includeIncognito: z.boolean(),
  file: z.object({ key: z.string().check(z.minLength(1)), name: z.string().check(z.minLength(1)) }),
  index: z.int().check(z.minimum(0)),
});

/** An import's first step, once per uploaded file: check it, and archive its plays under raw/. */
async function importHistoryFile(event: unknown) {
  const started = Date.now();
  const request = parseOrThrow(
    importFileEventSchema,
    event,
    'ImportFile event',
    'Run it from the state machine.',
  );
  logger.appendKeys({
    runId: request.run.runId,
    snapshotDate: request.run.snapshotDate,
    file: request.file.name,
  });
  const imported = await importFile(objectStore(), request);
  countMetric('ExportPlaysArchived', imported.plays);
  // Counts only: a play's fields never reach a log.
  logger.info('Archived', { elements: imported.elements, plays: imported.plays, dropped: imported.dropped });
  return { ...imported, durationMs: Date.now() - started };
}

export const handler = wrapStep(importHistoryFile);
