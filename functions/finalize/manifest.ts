import type { RunParameters } from '../commons/domain/run';
import type { ImportPlanEvent, SourceOutcome } from '../commons/domain/step-events';

/** Lambda reports a failure's cause as JSON (`errorMessage`, `trace`); the message is what a person needs. */
export function causeMessage(cause: string | undefined): string {
  if (cause === undefined) return '';
  try {
    const parsed: unknown = JSON.parse(cause);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'errorMessage' in parsed &&
      typeof parsed.errorMessage === 'string'
    ) {
      return parsed.errorMessage;
    }
  } catch {
    // not JSON: the cause is the message itself
  }
  return cause;
}

/** A small JSON record of what one execution did, kept beside (not inside) the datasets' prefixes. */
export function buildManifest(
  run: RunParameters,
  outcomes: readonly SourceOutcome[],
  finishedAt: Date,
  imported: ImportPlanEvent | null = null,
) {
  const failed = outcomes.filter((outcome) => outcome.status === 'failed');
  const warnings = [
    ...new Set(
      outcomes.flatMap((outcome) => (outcome.status === 'succeeded' ? outcome.extract.warnings : [])),
    ),
  ];
  return {
    schemaVersion: 2,
    snapshotDate: run.snapshotDate,
    runId: run.runId,
    status: failed.length === 0 ? 'succeeded' : failed.length === outcomes.length ? 'failed' : 'partial',
    startedAt: run.startedAt,
    finishedAt: finishedAt.toISOString(),
    warnings,
    // An import's inbox folder and its files (deleted once every one is published).
    ...(imported
      ? {
          import: {
            prefix: imported.prefix,
            includeIncognito: imported.includeIncognito,
            files: imported.files.map((file) => file.name),
            ignored: imported.ignored,
            inboxDeleted: failed.length === 0,
          },
        }
      : {}),
    sources: outcomes.map((outcome) =>
      outcome.status === 'succeeded'
        ? {
            source: outcome.source.ref,
            dataset: outcome.source.dataset,
            status: 'succeeded' as const,
            apiMode: outcome.extract.apiMode,
            rawKey: outcome.extract.rawKey,
            entries: outcome.extract.entries,
            resumed: outcome.extract.resumed,
            spotify: outcome.extract.api,
            itemsSeen: outcome.transform.itemsSeen,
            skipped: outcome.transform.skipped,
            corrected: outcome.transform.corrected,
            enrichmentUnavailable: outcome.transform.enrichmentUnavailable,
            rowsWritten: outcome.load.rows,
            published: outcome.load.keys,
            publishedTotal: outcome.load.keysTotal ?? outcome.load.keys.length,
            latestUpdated: outcome.load.latestUpdated,
            ...(outcome.load.plays ? { plays: outcome.load.plays } : {}),
            durationsMs: {
              extract: outcome.extract.durationMs,
              transform: outcome.transform.durationMs,
              load: outcome.load.durationMs,
            },
          }
        : {
            source: outcome.source.ref,
            dataset: outcome.source.dataset,
            status: 'failed' as const,
            error: outcome.error.Error,
            cause: causeMessage(outcome.error.Cause),
            published: [],
          },
    ),
    rowsWritten: outcomes.reduce(
      (sum, outcome) => sum + (outcome.status === 'succeeded' ? outcome.load.rows : 0),
      0,
    ),
    spotifyRequests: outcomes.reduce(
      (sum, outcome) => sum + (outcome.status === 'succeeded' ? outcome.extract.api.requests : 0),
      0,
    ),
  };
}
export type RunManifest = ReturnType<typeof buildManifest>;
