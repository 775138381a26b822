import { objectStore } from '../commons/clients/storage';
import { loadConfig } from '../commons/config';
import { parseOrThrow } from '../commons/domain/run';
import { isImported } from '../commons/domain/sources';
import { normalizedDocumentSchema } from '../commons/domain/staging-documents';
import { loadEventSchema } from '../commons/domain/step-events';
import { DataQualityError } from '../commons/errors';
import { countMetric, logger, wrapStep } from '../commons/observability';
import { readStaged } from '../commons/staging';
import { publish } from './publish';
import { checkQuality } from './quality-gate';

const MAX_KEYS_IN_RESULT = 10;

/** Step 3 of a source's iteration: gate the rows on quality, then publish them to the curated dataset. */
async function load(event: unknown) {
  const started = Date.now();
  const { run, source, transform } = parseOrThrow(
    loadEventSchema,
    event,
    'Load event',
    'Run it from the state machine.',
  );
  logger.appendKeys({ runId: run.runId, snapshotDate: run.snapshotDate, source: source.ref });
  const config = loadConfig(process.env);
  const store = objectStore();

  const document = await readStaged(store, transform.normalizedKey, normalizedDocumentSchema);
  // An imported file's size is bounded when it is imported; the row bound guards API paging.
  const violations = checkQuality(document, {
    minRowsPerSource: config.minRowsPerSource,
    maxRowsPerSource: isImported(source) ? Number.MAX_SAFE_INTEGER : config.maxRowsPerSource,
  });
  if (violations.length > 0) {
    throw new DataQualityError(
      violations,
      `The ${document.records.length} rows of ${source.ref} for ${run.snapshotDate} failed the data-quality gate, so ` +
        `nothing of this source was published (its earlier data is untouched): ${violations.slice(0, 5).join('; ')}` +
        `${violations.length > 5 ? `; and ${violations.length - 5} more` : ''}. The rows stay at ` +
        `${store.describe(transform.normalizedKey)} for inspection; adjust QUALITY_* settings if the bounds are wrong.`,
    );
  }
  const published = await publish(store, source, document, { neutralizeFormulas: config.neutralizeFormulas });
  countMetric('RowsWritten', document.records.length);
  logger.info('Loaded', {
    rows: document.records.length,
    keys: published.keys,
    latestUpdated: published.latestUpdated,
  });
  return {
    dataset: document.dataset,
    rows: document.records.length,
    // An imported file touches a day per day of listening: the state payload (256 KB for the whole
    // execution) carries the first few keys and the count.
    keys: published.keys.slice(0, MAX_KEYS_IN_RESULT),
    keysTotal: published.keys.length,
    latestUpdated: published.latestUpdated,
    ...(published.plays ? { plays: published.plays } : {}),
    durationMs: Date.now() - started,
  };
}

export const handler = wrapStep(load);
