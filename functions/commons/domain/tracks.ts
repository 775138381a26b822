/**
 * Tracks as the pipeline understands them, independent of the Web API's wire shapes: the source
 * adapters translate Spotify's JSON into these, and the datasets build rows from them.
 */
export interface ArtistCredit {
  readonly id: string | null;
  readonly name: string;
}

export interface Track {
  readonly id: string | null;
  readonly name: string;
  readonly artists: readonly ArtistCredit[];
  readonly album: {
    readonly id: string | null;
    readonly name: string | null;
    readonly type: string | null;
    readonly releaseDate: string | null;
    readonly totalTracks: number | null;
  };
  readonly durationMs: number | null;
  readonly explicit: boolean | null;
  readonly popularity: number | null;
  readonly isrc: string | null;
  readonly url: string | null;
  /** What the adapter changed to make the wire's values fit (counted in the run manifest). */
  readonly corrections?: readonly Correction[];
}

/**
 * Values the pipeline changed rather than refuse, counted per source in the manifest: a
 * fractional number `rounded`, a number outside its range made empty (`out_of_range`), a text
 * longer than MAX_TEXT_CHARS cut (`truncated`).
 */
export const CORRECTIONS = ['rounded', 'out_of_range', 'truncated'] as const;
export type Correction = (typeof CORRECTIONS)[number];
export type CorrectionCounts = Record<Correction, number>;
export const emptyCorrectionCounts = (): CorrectionCounts => ({ rounded: 0, out_of_range: 0, truncated: 0 });

/** Longest text cell: a name is never longer; a 100 MB "name" must not become a 100 MB CSV. */
export const MAX_TEXT_CHARS = 1000;

export interface AudioFeatures {
  readonly danceability: number | null;
  readonly energy: number | null;
  readonly speechiness: number | null;
  readonly acousticness: number | null;
  readonly instrumentalness: number | null;
  readonly liveness: number | null;
  readonly valence: number | null;
  readonly tempo: number | null;
}

/** What an enrichment call added, by id; `unavailable` names the ones Spotify refused. */
export interface Enrichments {
  readonly genresByArtist: ReadonlyMap<string, readonly string[]>;
  readonly featuresByTrack: ReadonlyMap<string, AudioFeatures>;
  readonly unavailable: readonly string[];
}

export const NO_ENRICHMENTS: Enrichments = {
  genresByArtist: new Map(),
  featuresByTrack: new Map(),
  unavailable: [],
};

export const SKIP_REASONS = [
  'null_item',
  'invalid',
  'local_file',
  'episode',
  'audiobook',
  'unavailable',
  'duplicate',
  /** Streaming-history plays made in a private session: not imported unless the user opts in. */
  'incognito',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];
export type SkipCounts = Record<SkipReason, number>;

export const emptySkipCounts = (): SkipCounts => ({
  null_item: 0,
  invalid: 0,
  local_file: 0,
  episode: 0,
  audiobook: 0,
  unavailable: 0,
  duplicate: 0,
  incognito: 0,
});

/** What only the streaming-history export tells about a play: how it was listened to. */
export interface Listening {
  readonly msPlayed: number;
  readonly reasonStart: string | null;
  readonly reasonEnd: string | null;
  readonly shuffle: boolean | null;
  readonly skipped: boolean | null;
  readonly offline: boolean | null;
  readonly connCountry: string | null;
  readonly platform: string | null;
}

/**
 * One position in a source: a track with what the source says about it, or a reason it is not a
 * track the datasets can use. Adapters decide the wire-level reasons (null, local file, episode,
 * not the documented shape); `usableTrack` decides the rest, for every source kind alike.
 */
export type SourceEntry =
  | {
      readonly kind: 'track';
      readonly track: Track;
      /** Playlists: when the entry was added. */
      readonly addedAt: string | null;
      /** Recently played: when the play ended (Spotify's `played_at`). */
      readonly playedAt: string | null;
      readonly context: { readonly type: string | null; readonly uri: string | null } | null;
      /** Streaming-history export only. */
      readonly listening?: Listening;
    }
  | { readonly kind: 'skip'; readonly reason: Exclude<SkipReason, 'duplicate'> };

/**
 * Collapses line breaks, tabs and other control characters into a space: every CSV row is one
 * physical line for line-based readers, and U+0001 (the Athena table's CSV escape character) never
 * appears in a cell, so Athena reads back exactly what was written, backslashes included.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f\u2028\u2029]+/g;
export function cleanText(value: string): string {
  const cleaned = collapsed(value);
  return cleaned.length > MAX_TEXT_CHARS ? truncated(cleaned) : cleaned;
}

const collapsed = (value: string) => value.replace(CONTROL_CHARACTERS, ' ').trim();

/** The first MAX_TEXT_CHARS characters (code points, so no surrogate pair is split). */
function truncated(text: string): string {
  return Array.from(text.slice(0, MAX_TEXT_CHARS * 2))
    .slice(0, MAX_TEXT_CHARS)
    .join('')
    .trim();
}

/** Whether `cleanText` cuts this text (measured on the text it would cut, control characters collapsed). */
const isOverlong = (value: string | null) =>
  value !== null && value.length > MAX_TEXT_CHARS && cleanText(value) !== collapsed(value);

/** Every correction made to one usable track: the adapter's, and texts `cleanText` will cut. */
export function correctionsOf(track: Track): Correction[] {
  const texts = [track.name, track.album.name, ...track.artists.map((artist) => artist.name)];
  return [...(track.corrections ?? []), ...(texts.some(isOverlong) ? (['truncated'] as const) : [])];
}

export function countCorrections(counts: CorrectionCounts, track: Track): void {
  for (const correction of correctionsOf(track)) counts[correction] += 1;
}

/**
 * The one rule for "is this a track the datasets can use": it needs an id, a name and at least one
 * credited artist with a name. Anything else is skipped and counted, never a failed day.
 */
export function usableTrack(track: Track): Exclude<SkipReason, 'duplicate'> | undefined {
  if (track.id === null || track.id === '') return 'unavailable';
  if (cleanText(track.name) === '') return 'invalid';
  if (!track.artists.some((artist) => cleanText(artist.name) !== '')) return 'invalid';
  return undefined;
}
