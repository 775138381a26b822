import type { Context } from 'aws-lambda';
import { spotifyCatalog } from '../commons/clients/spotify';
import { objectStore } from '../commons/clients/storage';
import { resolveRun } from '../commons/domain/run';
import { countMetric, logger, wrapStep } from '../commons/observability';
import { extractPlaylists } from './extract-playlists';

/** Step 1: resolve the run's parameters, fetch each playlist from Spotify, stage the raw payloads. */
async function extract(event: unknown, context: Context) {
  const started = Date.now();
  const { catalog, http, config } = spotifyCatalog(() => context.getRemainingTimeInMillis());
  const run = resolveRun(event, config.defaultPlaylistIds);
  logger.appendKeys({ runId: run.runId, snapshotDate: run.snapshotDate });

  const outcome = await extractPlaylists({ catalog, store: objectStore() }, run);
  const extract = {
    ...outcome,
    api: { apiUrl: config.apiUrl, accountsUrl: config.accountsUrl, ...http.stats },
    durationMs: Date.now() - started,
  };
  countMetric('SpotifyRequests', http.stats.requests);
  countMetric('SpotifyRetries', http.stats.retries);
  countMetric('SpotifyRateLimitWaits', http.stats.rateLimitWaits);
  countMetric('PlaylistsExtracted', outcome.playlists.length);
  countMetric('PlaylistsFailed', outcome.failed.length);
  logger.info('Extracted', {
    playlists: outcome.playlists.length,
    failed: outcome.failed.length,
    api: http.stats,
  });
  return { run, extract };
}

export const handler = wrapStep(extract);
