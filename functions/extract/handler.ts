import type { Context } from 'aws-lambda';
import { spotifyCatalog } from '../commons/clients/spotify';
import { objectStore } from '../commons/clients/storage';
import { parseOrThrow } from '../commons/domain/run';
import { extractEventSchema } from '../commons/domain/step-events';
import { countMetric, logger, wrapStep } from '../commons/observability';
import { extractSource } from './extract-source';

/** Step 1 of a source's iteration: fetch it from Spotify and keep the answer under raw/. */
async function extract(event: unknown, context: Context) {
  const started = Date.now();
  const { run, source } = parseOrThrow(
    extractEventSchema,
    event,
    'Extract event',
    'Run it from the state machine.',
  );
  logger.appendKeys({ runId: run.runId, snapshotDate: run.snapshotDate, source: source.ref });
  const { catalog, http, credentials } = spotifyCatalog(() => context.getRemainingTimeInMillis());

  const extracted = await extractSource({ catalog, store: objectStore() }, run, source);
  const warnings = await credentials.warnings(new Date(run.startedAt));
  for (const warning of warnings) logger.warn(warning);
  countMetric('SpotifyRequests', http.stats.requests);
  countMetric('SpotifyRetries', http.stats.retries);
  countMetric('SpotifyRateLimitWaits', http.stats.rateLimitWaits);
  logger.info('Extracted', { entries: extracted.entries, resumed: extracted.resumed, api: http.stats });
  return {
    ...extracted,
    api: http.stats,
    warnings,
    durationMs: Date.now() - started,
  };
}

export const handler = wrapStep(extract);
