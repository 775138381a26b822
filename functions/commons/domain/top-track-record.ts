import * as z from 'zod/mini';
import '../validation';

/**
 * One row of the curated dataset: one playlist entry on one snapshot date. The column order here
 * is the CSV's column order, and the Athena table's (data columns, then the partition key). Multi-valued fields are arrays here and are
 * joined with `|` in the CSV. `null` means "Spotify did not provide it" and becomes an empty cell.
 */
export const topTrackRecordSchema = z.object({
  playlist_id: z.string(),
  playlist_name: z.string(),
  rank: z.int().check(z.positive()),
  track_id: z.string(),
  track_name: z.string(),
  artist_names: z.array(z.string()),
  artist_ids: z.array(z.string()),
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
  snapshot_date: z.string(),
});

export type TopTrackRecord = z.infer<typeof topTrackRecordSchema>;
export type ColumnName = keyof TopTrackRecord;

export type ColumnType = 'date' | 'string' | 'int' | 'boolean' | 'double';

export interface ColumnSpec {
  readonly name: ColumnName;
  /** Athena/Glue type of the column. */
  readonly type: ColumnType;
  /** Free text from Spotify: the only cells that formula neutralization may touch. */
  readonly text: boolean;
  readonly description: string;
}

const column = (name: ColumnName, type: ColumnType, description: string, text = false): ColumnSpec => ({
  name,
  type,
  text,
  description,
});

export const COLUMNS: readonly ColumnSpec[] = [
  column('playlist_id', 'string', 'Spotify playlist id.'),
  column('playlist_name', 'string', 'Playlist name at snapshot time.', true),
  column('rank', 'int', '1-based position of the entry in the playlist; skipped entries leave gaps.'),
  column('track_id', 'string', 'Spotify track id.'),
  column('track_name', 'string', 'Track name.', true),
  column('artist_names', 'string', 'All credited artists, in credit order, joined with |.', true),
  column('artist_ids', 'string', 'Spotify ids of the artists, same order as artist_names, joined with |.'),
  column('album_id', 'string', 'Spotify album id.'),
  column('album_name', 'string', 'Album name.', true),
  column('album_type', 'string', 'album, single or compilation.'),
  column(
    'album_release_date',
    'string',
    'Release date at the precision Spotify gives: YYYY, YYYY-MM or YYYY-MM-DD.',
  ),
  column('album_total_tracks', 'int', 'Number of tracks on the album.'),
  column('duration_ms', 'int', 'Track length in milliseconds.'),
  column('explicit', 'boolean', 'true if the track has explicit lyrics.'),
  column('popularity', 'int', '0-100 popularity; empty for apps that no longer receive it (2026 dev mode).'),
  column('isrc', 'string', 'International Standard Recording Code.'),
  column('track_url', 'string', 'open.spotify.com link to the track.'),
  column(
    'added_at',
    'string',
    'When the entry was added to the playlist, ISO 8601 UTC text (from_iso8601_timestamp in Athena).',
  ),
  column(
    'artist_genres',
    'string',
    'Distinct genres of all the artists joined with |; empty when unavailable.',
    true,
  ),
  column('danceability', 'double', 'Audio feature 0.0-1.0; empty when audio features are unavailable.'),
  column('energy', 'double', 'Audio feature 0.0-1.0.'),
  column('speechiness', 'double', 'Audio feature 0.0-1.0.'),
  column('acousticness', 'double', 'Audio feature 0.0-1.0.'),
  column('instrumentalness', 'double', 'Audio feature 0.0-1.0.'),
  column('liveness', 'double', 'Audio feature 0.0-1.0.'),
  column('valence', 'double', 'Audio feature 0.0-1.0 (musical positiveness).'),
  column('tempo', 'double', 'Estimated tempo in beats per minute.'),
  // Last, so that the Athena table (whose partition key it is) lists columns in the file's order.
  column(
    'snapshot_date',
    'date',
    'UTC date of the snapshot; also the partition key (snapshot_date=YYYY-MM-DD).',
  ),
];

export const COLUMN_NAMES: readonly ColumnName[] = COLUMNS.map((spec) => spec.name);
