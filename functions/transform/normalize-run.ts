import {
  SKIP_REASONS,
  type NormalizedDocument,
  type RawPlaylistDocument,
  type SkipCounts,
} from '../commons/domain/staging-documents';
import { emptySkipCounts, normalizePlaylist } from './normalize-playlist';

/** All playlists of a run, in the run's order, as one staged document for Load. */
export function normalizeRun(
  snapshotDate: string,
  documents: readonly RawPlaylistDocument[],
): NormalizedDocument {
  const playlists: NormalizedDocument['playlists'] = [];
  const records: NormalizedDocument['records'] = [];
  for (const document of documents) {
    const normalized = normalizePlaylist(document);
    playlists.push({
      playlistId: document.playlistId,
      playlistName: document.playlist.name,
      apiShape: document.apiShape,
      itemsSeen: normalized.itemsSeen,
      skipped: normalized.skipped,
      enrichmentUnavailable: normalized.enrichmentUnavailable,
    });
    records.push(...normalized.records);
  }
  return { schemaVersion: 1, snapshotDate, playlists, records };
}

export interface RunSummary {
  readonly records: number;
  readonly itemsSeen: number;
  readonly skipped: SkipCounts;
  readonly enrichmentUnavailable: string[];
}

/** Totals over the run's playlists, for the state output and the manifest. */
export function summarizeRun(document: NormalizedDocument): RunSummary {
  const skipped = emptySkipCounts();
  const unavailable = new Set<string>();
  let itemsSeen = 0;
  for (const playlist of document.playlists) {
    itemsSeen += playlist.itemsSeen;
    for (const reason of SKIP_REASONS) skipped[reason] += playlist.skipped[reason];
    for (const name of playlist.enrichmentUnavailable) unavailable.add(name);
  }
  return { records: document.records.length, itemsSeen, skipped, enrichmentUnavailable: [...unavailable] };
}
