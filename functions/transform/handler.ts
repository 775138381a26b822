import { objectStore } from '../commons/clients/storage';
import { keys } from '../commons/domain/keys';
import { parseOrThrow } from '../commons/domain/run';
import { rawPlaylistDocumentSchema } from '../commons/domain/staging-documents';
import { transformEventSchema } from '../commons/domain/step-events';
import { countMetric, logger, wrapStep } from '../commons/observability';
import { readStaged } from '../commons/staging';
import { normalizeRun, summarizeRun } from './normalize-run';

/** Step 2: flatten and join each playlist's staged payloads into records, staged as one document. */
async function transform(event: unknown) {
  const started = Date.now();
  const { run, extract } = parseOrThrow(
    transformEventSchema,
    event,
    'Transform event',
    'Run it from the state machine.',
  );
  logger.appendKeys({ runId: run.runId, snapshotDate: run.snapshotDate });
  const store = objectStore();

  const documents = await Promise.all(
    extract.playlists.map((playlist) => readStaged(store, playlist.rawKey, rawPlaylistDocumentSchema)),
  );
  const normalized = normalizeRun(run.snapshotDate, documents);
  const normalizedKey = keys.normalized(run.snapshotDate, run.runId);
  await store.putText(normalizedKey, JSON.stringify(normalized), { contentType: 'application/json' });

  const summary = summarizeRun(normalized);
  countMetric('ItemsSeen', summary.itemsSeen);
  countMetric(
    'ItemsSkipped',
    Object.values(summary.skipped).reduce((sum, count) => sum + count, 0),
  );
  logger.info('Transformed', { ...summary });
  return { normalizedKey, ...summary, durationMs: Date.now() - started };
}

export const handler = wrapStep(transform);
