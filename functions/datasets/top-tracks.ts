import * as z from 'zod/mini';
import '../commons/validation';
import {
  cleanText,
  countCorrections,
  emptyCorrectionCounts,
  emptySkipCounts,
  usableTrack,
  type CorrectionCounts,
  type Enrichments,
  type SkipCounts,
  type SourceEntry,
} from '../commons/domain/tracks';
import type { SourceRef } from '../commons/domain/sources';
import { column, TRACK_COLUMNS, type DatasetSpec } from './columns';
import { trackCells } from './track-cells';

/**
 * `top_tracks`: every ranked list on every snapshot date, one row per position that holds a usable
 * track. Playlists and the user's top tracks alike; `(source, rank)` is unique per date. The column
 * order here is the CSV's and the Athena table's (data columns, then the partition key).
 * Multi-valued fields are arrays here and lists in the CSV; `null` is an empty cell.
 */
export const topTrackRecordSchema = z.object({
  playlist_id: z.nullable(z.string()),
  playlist_name: z.nullable(z.string()),
  rank: z.int().check(z.positive()),
  track_id: z.string(),
  track_name: z.string(),
  artist_names: z.array(z.string()),
  artist_ids: z.array(z.nullable(z.string())),
  album_id: z.nullable(z.string()),
  album_name: z.nullable(z.string()),
  album_type: z.nullable(z.string()),
  album_release_date: z.nullable(z.string()),
  album_total_tracks: z.nullable(z.int()),
  duration_ms: z.nullable(z.int()),
  explicit: z.nullable(z.boolean()),
  popularity: z.nullable(z.int()),
  isrc: z.nullable(z.string()),
  track_url: z.nullable(z.string()),
  added_at: z.nullable(z.string()),
  artist_genres: z.array(z.string()),
  danceability: z.nullable(z.number()),
  energy: z.nullable(z.number()),
  speechiness: z.nullable(z.number()),
  acousticness: z.nullable(z.number()),
  instrumentalness: z.nullable(z.number()),
  liveness: z.nullable(z.number()),
  valence: z.nullable(z.number()),
  tempo: z.nullable(z.number()),
  source: z.string(),
  source_name: z.string(),
  snapshot_date: z.string(),
});
export type TopTrackRecord = z.infer<typeof topTrackRecordSchema>;
export type TopTrackColumn = keyof TopTrackRecord;

export const TOP_TRACKS: DatasetSpec<TopTrackColumn> = {
  name: 'top_tracks',
  partitionKey: 'snapshot_date',
  columns: [
    column('playlist_id', 'string', 'Spotify playlist id; empty for your top tracks.'),
    column('playlist_name', 'string', 'Playlist name at snapshot time; empty for your top tracks.', {
      text: true,
    }),
    column('rank', 'int', '1-based position in the source; skipped entries leave gaps.'),
    TRACK_COLUMNS.track_id,
    TRACK_COLUMNS.track_name,
    TRACK_COLUMNS.artist_names,
    TRACK_COLUMNS.artist_ids,
    TRACK_COLUMNS.album_id,
    TRACK_COLUMNS.album_name,
    column('album_type', 'string', 'album, single or compilation.'),
    column(
      'album_release_date',
      'string',
      'Release date at the precision Spotify gives: YYYY, YYYY-MM or YYYY-MM-DD.',
    ),
    column('album_total_tracks', 'int', 'Number of tracks on the album.'),
    TRACK_COLUMNS.duration_ms,
    TRACK_COLUMNS.explicit,
    column(
      'popularity',
      'int',
      '0-100 popularity; empty for apps that no longer receive it (development mode).',
    ),
    TRACK_COLUMNS.isrc,
    TRACK_COLUMNS.track_url,
    column(
      'added_at',
      'string',
      'When the entry was added to the playlist, ISO 8601 UTC text; empty for top tracks.',
    ),
    column(
      'artist_genres',
      'string',
      'Distinct genres of all the artists (a list cell); empty when unavailable.',
      { text: true, list: true },
    ),
    column('danceability', 'double', 'Audio feature 0.0-1.0; empty when audio features are unavailable.'),
    column('energy', 'double', 'Audio feature 0.0-1.0.'),
    column('speechiness', 'double', 'Audio feature 0.0-1.0.'),
    column('acousticness', 'double', 'Audio feature 0.0-1.0.'),
    column('instrumentalness', 'double', 'Audio feature 0.0-1.0.'),
    column('liveness', 'double', 'Audio feature 0.0-1.0.'),
    column('valence', 'double', 'Audio feature 0.0-1.0 (musical positiveness).'),
    column('tempo', 'double', 'Estimated tempo in beats per minute.'),
    column('source', 'string', 'The source reference, e.g. playlist:<id> or me:top-tracks:short_term.'),
    column(
      'source_name',
      'string',
      'A human name for the source (the playlist name, "Your top tracks, 4 weeks").',
      { text: true },
    ),
    // Last, so that the Athena table (whose partition key it is) lists columns in the file's order.
    column(
      'snapshot_date',
      'date',
      'UTC date of the snapshot; also the partition key (snapshot_date=YYYY-MM-DD).',
    ),
  ],
};

export interface RankedList {
  readonly source: SourceRef;
  readonly sourceName: string;
  readonly snapshotDate: string;
  readonly entries: readonly SourceEntry[];
  readonly enrichments: Enrichments;
}

export interface BuiltRows<T> {
  readonly records: T[];
  readonly itemsSeen: number;
  readonly skipped: SkipCounts;
  /** Values of the kept rows that were rounded, emptied or cut rather than refused. */
  readonly corrected: CorrectionCounts;
}

function genresOf(artistIds: readonly (string | null)[], enrichments: Enrichments): string[] {
  const genres = new Set<string>();
  for (const id of artistIds) {
    if (id === null) continue;
    for (const genre of enrichments.genresByArtist.get(id) ?? []) genres.add(cleanText(genre));
  }
  return [...genres];
}

/**
 * One row per usable track, ranked by its position in the source (1-based; skipped positions leave
 * gaps). A track listed twice keeps its first, highest position.
 */
export function rankedRows(list: RankedList): BuiltRows<TopTrackRecord> {
  const skipped = emptySkipCounts();
  const corrected = emptyCorrectionCounts();
  const seen = new Set<string>();
  const records: TopTrackRecord[] = [];
  const isPlaylist = list.source.kind === 'playlist';
  list.entries.forEach((entry, index) => {
    if (entry.kind === 'skip') {
      skipped[entry.reason] += 1;
      return;
    }
    const { track } = entry;
    const unusable = usableTrack(track);
    if (unusable) {
      skipped[unusable] += 1;
      return;
    }
    const id = track.id ?? '';
    if (seen.has(id)) {
      skipped.duplicate += 1;
      return;
    }
    seen.add(id);
    countCorrections(corrected, track);
    const cells = trackCells(track);
    const features = list.enrichments.featuresByTrack.get(id);
    records.push({
      playlist_id: isPlaylist ? (list.source.playlistId ?? null) : null,
      playlist_name: isPlaylist ? cleanText(list.sourceName) : null,
      rank: index + 1,
      ...cells,
      album_type: track.album.type,
      album_release_date: track.album.releaseDate,
      album_total_tracks: track.album.totalTracks,
      popularity: track.popularity,
      added_at: entry.addedAt,
      artist_genres: genresOf(cells.artist_ids, list.enrichments),
      danceability: features?.danceability ?? null,
      energy: features?.energy ?? null,
      speechiness: features?.speechiness ?? null,
      acousticness: features?.acousticness ?? null,
      instrumentalness: features?.instrumentalness ?? null,
      liveness: features?.liveness ?? null,
      valence: features?.valence ?? null,
      tempo: features?.tempo ?? null,
      source: list.source.ref,
      source_name: cleanText(list.sourceName),
      snapshot_date: list.snapshotDate,
    });
  });
  return { records, itemsSeen: list.entries.length, skipped, corrected };
}
