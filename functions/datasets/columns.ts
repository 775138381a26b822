/** Athena/Glue type of a curated column. */
export type ColumnType = 'date' | 'timestamp' | 'string' | 'int' | 'bigint' | 'boolean' | 'double';

export interface ColumnSpec<Name extends string = string> {
  readonly name: Name;
  readonly type: ColumnType;
  /** Free text from Spotify. */
  readonly text: boolean;
  /** An array in the record, a list cell in the CSV. */
  readonly list: boolean;
  /** A list with one element per element of that other list (ids beside names): read back aligned. */
  readonly alignedWith?: Name;
  readonly description: string;
}

export const column = <Name extends string>(
  name: Name,
  type: ColumnType,
  description: string,
  flags: { text?: boolean; list?: boolean; alignedWith?: Name } = {},
): ColumnSpec<Name> => ({
  name,
  type,
  description,
  text: flags.text ?? false,
  list: flags.list ?? flags.alignedWith !== undefined,
  ...(flags.alignedWith === undefined ? {} : { alignedWith: flags.alignedWith }),
});

/** A curated dataset: its rows' columns in file order, the last one being its partition key. */
export interface DatasetSpec<Name extends string = string> {
  readonly name: string;
  readonly columns: readonly ColumnSpec<Name>[];
  readonly partitionKey: Name;
}

/** The columns every dataset of tracks has, described once. */
export const TRACK_COLUMNS = {
  track_id: column('track_id', 'string', 'Spotify track id.'),
  track_name: column('track_name', 'string', 'Track name.', { text: true }),
  artist_names: column('artist_names', 'string', 'All credited artists, in credit order (a list cell).', {
    text: true,
    list: true,
  }),
  artist_ids: column(
    'artist_ids',
    'string',
    'Spotify ids of the artists, aligned with artist_names (a list cell).',
    {
      alignedWith: 'artist_names',
    },
  ),
  album_id: column('album_id', 'string', 'Spotify album id.'),
  album_name: column('album_name', 'string', 'Album name.', { text: true }),
  duration_ms: column('duration_ms', 'int', 'Track length in milliseconds.'),
  explicit: column('explicit', 'boolean', 'true if the track has explicit lyrics.'),
  isrc: column('isrc', 'string', 'International Standard Recording Code.'),
  track_url: column('track_url', 'string', 'open.spotify.com link to the track.'),
} as const;
