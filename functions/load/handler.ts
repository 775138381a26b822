import { objectStore } from '../commons/clients/storage';
import { loadConfig } from '../commons/config';
import { keys } from '../commons/domain/keys';
import { parseOrThrow } from '../commons/domain/run';
import { normalizedDocumentSchema } from '../commons/domain/staging-documents';
import { loadEventSchema } from '../commons/domain/step-events';
import { DataQualityError, PlaylistsFailed } from '../commons/errors';
import { countMetric, logger, wrapStep } from '../commons/observability';
import { readStaged } from '../commons/staging';
import { renderCsv } from './csv';
import { buildManifest } from './manifest';
import { publishCsv } from './publish';
import { checkQuality } from './quality-gate';

/** Step 3: gate the records on quality, then publish the date's CSV, `latest/` and the run manifest. */
async function load(event: unknown) {
  const started = Date.now();
  const parsed = parseOrThrow(loadEventSchema, event, 'Load event', 'Run it from the state machine.');
  const { run, extract, transform } = parsed;
  logger.appendKeys({ runId: run.runId, snapshotDate: run.snapshotDate });
  const config = loadConfig(process.env);
  const store = objectStore();

  const normalized = await readStaged(store, transform.normalizedKey, normalizedDocumentSchema);
  const extracted = extract.playlists.map((playlist) => playlist.playlistId);
  const violations = checkQuality(normalized.records, extracted, run.snapshotDate, config);
  if (violations.length > 0) {
    throw new DataQualityError(
      violations,
      `The ${normalized.records.length} records for ${run.snapshotDate} failed the data-quality gate, so nothing ` +
        `was published (earlier dates and latest/ are untouched): ${violations.slice(0, 5).join('; ')}` +
        `${violations.length > 5 ? `; and ${violations.length - 5} more` : ''}. The staged data stays at ` +
        `${store.describe(transform.normalizedKey)} for inspection; adjust QUALITY_* settings if the bounds are wrong.`,
    );
  }

  const csv = renderCsv(normalized.records, { neutralizeFormulas: config.neutralizeFormulas });
  const complete = extract.failed.length === 0;
  const published = await publishCsv(store, { ...run, complete }, csv);
  const rows = normalized.records.length;
  const manifest = buildManifest(
    parsed,
    normalized,
    { ...published, rows },
    Date.now() - started,
    new Date(),
  );
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const manifestKey = keys.runManifest(run.snapshotDate, run.runId);
  await store.putText(manifestKey, manifestText, { contentType: 'application/json' });
  if (published.published) {
    await store.putText(keys.manifest(run.snapshotDate), manifestText, { contentType: 'application/json' });
  }
  countMetric('RowsWritten', published.published ? rows : 0);
  logger.info('Loaded', { rows, csvKey: published.csvKey, latestUpdated: published.latestUpdated });

  if (!complete) {
    const outcome = published.published
      ? `were left out of ${store.describe(published.csvKey)} (the other playlists were written)`
      : `so the existing ${store.describe(published.csvKey)} was kept unchanged`;
    throw new PlaylistsFailed(
      `${extract.failed.length} of ${run.playlistIds.length} playlists failed and ${outcome}: ` +
        extract.failed
          .map((failure) => `${failure.playlistId}: ${failure.error} (${failure.cause})`)
          .join('; ') +
        `. Details in ${store.describe(manifestKey)}; re-run the date once the cause is fixed.`,
    );
  }
  return { ...published, rows, manifestKey, durationMs: Date.now() - started };
}

export const handler = wrapStep(load);
