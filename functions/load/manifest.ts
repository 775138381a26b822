import type { NormalizedDocument } from '../commons/domain/staging-documents';
import type { LoadEvent } from '../commons/domain/step-events';
import type { TopTrackRecord } from '../commons/domain/top-track-record';

/** A small JSON record of what one execution did, kept beside (not inside) the CSV table's prefix. */
export function buildManifest(
  event: LoadEvent,
  normalized: NormalizedDocument,
  published: { csvKey: string; published: boolean; latestUpdated: boolean; rows: number },
  loadDurationMs: number,
  finishedAt: Date,
) {
  const { run, extract, transform } = event;
  const rowsByPlaylist = new Map<string, number>();
  normalized.records.forEach((record: TopTrackRecord) =>
    rowsByPlaylist.set(record.playlist_id, (rowsByPlaylist.get(record.playlist_id) ?? 0) + 1),
  );
  return {
    schemaVersion: 1,
    snapshotDate: run.snapshotDate,
    runId: run.runId,
    status: extract.failed.length === 0 ? 'succeeded' : 'partial',
    startedAt: run.startedAt,
    finishedAt: finishedAt.toISOString(),
    spotify: extract.api,
    playlists: normalized.playlists.map((playlist) => ({
      ...playlist,
      rows: rowsByPlaylist.get(playlist.playlistId) ?? 0,
    })),
    failedPlaylists: extract.failed,
    itemsSeen: transform.itemsSeen,
    skipped: transform.skipped,
    enrichmentUnavailable: transform.enrichmentUnavailable,
    rowsWritten: published.published ? published.rows : 0,
    csvKey: published.csvKey,
    csvPublished: published.published,
    latestUpdated: published.latestUpdated,
    durationsMs: { extract: extract.durationMs, transform: transform.durationMs, load: loadDurationMs },
  };
}
