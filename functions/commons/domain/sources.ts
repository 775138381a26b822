/**
 * A source is one thing Spotify is asked for in a run: a playlist, one of the user's top-tracks
 * lists, or the user's recent plays; or what Spotify sent the user as a file (the streaming-history
 * export, imported rather than fetched). Users write references as strings (execution input, the
 * `sources` stage parameter, `--source`); they are normalized here once, and everything after
 * (keys, rows, manifests) uses the normalized form.
 */

export const TIME_RANGES = ['short_term', 'medium_term', 'long_term'] as const;
export type TimeRange = (typeof TIME_RANGES)[number];

export type SourceKind = 'playlist' | 'top_tracks' | 'recently_played' | 'streaming_history';

/** The kinds a run asks Spotify's Web API for (the streaming history is imported from a file). */
export type FetchedKind = Exclude<SourceKind, 'streaming_history'>;

/** The curated dataset a source's rows land in. */
export type DatasetName = 'top_tracks' | 'recently_played';

export interface SourceRef {
  /**
   * The normalized reference: `playlist:<id>`, `me:top-tracks:<range>`, `me:recently-played`, or
   * `export:streaming-history`.
   */
  readonly ref: string;
  readonly kind: SourceKind;
  /** Safe in S3 keys and file names: `playlist-<id>`, `me-top-tracks-short_term`, `me-recently-played`. */
  readonly slug: string;
  readonly dataset: DatasetName;
  /** OAuth scopes the user token needs for this source. */
  readonly scopes: readonly string[];
  readonly playlistId?: string;
  readonly timeRange?: TimeRange;
}

export const PLAYLIST_ID_PATTERN = /^[A-Za-z0-9]{1,64}$/;

/** Spotify's own playlists (the Top 50 charts) need an extended-quota app since 27 Nov 2024. */
export const TOP_50_GLOBAL_PLAYLIST_ID = '37i9dQZEVXbMDoHDwVN2tF';

export const SCOPES = {
  topRead: 'user-top-read',
  recentlyPlayed: 'user-read-recently-played',
  playlistPrivate: 'playlist-read-private',
  playlistCollaborative: 'playlist-read-collaborative',
} as const;

export const SOURCE_REFERENCE_HELP =
  'A source is playlist:<id> (a bare id, an open.spotify.com/playlist/<id> link or a spotify:playlist:<id> ' +
  'URI also work), me:top-tracks:short_term, me:top-tracks:medium_term, me:top-tracks:long_term or ' +
  'me:recently-played.';

export function playlistSource(playlistId: string): SourceRef {
  return {
    ref: `playlist:${playlistId}`,
    kind: 'playlist',
    slug: `playlist-${playlistId}`,
    dataset: 'top_tracks',
    scopes: [SCOPES.playlistPrivate, SCOPES.playlistCollaborative],
    playlistId,
  };
}

function topTracksSource(timeRange: TimeRange): SourceRef {
  return {
    ref: `me:top-tracks:${timeRange}`,
    kind: 'top_tracks',
    slug: `me-top-tracks-${timeRange}`,
    dataset: 'top_tracks',
    scopes: [SCOPES.topRead],
    timeRange,
  };
}

const RECENTLY_PLAYED: SourceRef = {
  ref: 'me:recently-played',
  kind: 'recently_played',
  slug: 'me-recently-played',
  dataset: 'recently_played',
  scopes: [SCOPES.recentlyPlayed],
};

/** Spotify's "Extended streaming history" export: every play of the account, imported from its files. */
export const STREAMING_HISTORY: SourceRef = {
  ref: 'export:streaming-history',
  kind: 'streaming_history',
  slug: 'export-streaming-history',
  dataset: 'recently_played',
  scopes: [],
};

const isTimeRange = (value: string): value is TimeRange => (TIME_RANGES as readonly string[]).includes(value);

/** The playlist id in a link people copy from the app (`https://open.spotify.com/playlist/<id>?si=...`). */
function playlistIdFromUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.hostname !== 'open.spotify.com') return undefined;
  // Localized links carry a prefix: /intl-de/playlist/<id>.
  const match = /^\/(?:intl-[a-z-]+\/)?playlist\/([^/]+)\/?$/.exec(url.pathname);
  return match?.[1];
}

/**
 * Parses one reference; returns a description of the problem instead of throwing, so callers can
 * report every bad reference at once, in their own words.
 */
export function parseSourceRef(raw: string): SourceRef | { problem: string } {
  const text = raw.trim();
  const playlistId = text.startsWith('playlist:')
    ? text.slice('playlist:'.length)
    : text.startsWith('spotify:playlist:')
      ? text.slice('spotify:playlist:'.length)
      : /^https?:\/\//.test(text)
        ? playlistIdFromUrl(text)
        : PLAYLIST_ID_PATTERN.test(text)
          ? text
          : undefined;
  if (playlistId !== undefined) {
    return PLAYLIST_ID_PATTERN.test(playlistId)
      ? playlistSource(playlistId)
      : { problem: `"${raw}" does not hold a Spotify playlist id (base-62 letters and digits)` };
  }
  if (text === RECENTLY_PLAYED.ref) return RECENTLY_PLAYED;
  if (text === STREAMING_HISTORY.ref) return STREAMING_HISTORY;
  if (text.startsWith('me:top-tracks:')) {
    const range = text.slice('me:top-tracks:'.length);
    return isTimeRange(range)
      ? topTracksSource(range)
      : { problem: `"${raw}": the time range must be one of ${TIME_RANGES.join(', ')}` };
  }
  const shown = raw.length > 80 ? `${raw.slice(0, 80)}...` : raw;
  if (/^https?:\/\//.test(text)) return { problem: `"${shown}" is not an open.spotify.com/playlist/ link` };
  return { problem: `"${shown}" is not a source reference` };
}

export const isSourceRef = (value: SourceRef | { problem: string }): value is SourceRef => 'ref' in value;

/** Comma-separated references (the `sources` stage parameter), trimmed, in order (`parseSources` de-duplicates). */
export function splitSourceList(raw: string): string[] {
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

export function uniqueSources(sources: readonly SourceRef[]): SourceRef[] {
  const seen = new Set<string>();
  return sources.filter((source) => (seen.has(source.ref) ? false : (seen.add(source.ref), true)));
}

/** Sources that read the user's own data need a user token (client credentials have no user). */
export const needsUser = (source: SourceRef) =>
  source.kind === 'top_tracks' || source.kind === 'recently_played';

/** The streaming history comes from files the user imports, never from a scheduled or on-demand run. */
export const isImported = (source: SourceRef) => source.kind === 'streaming_history';

/** The source a key-safe slug stands for (`playlist-<id>`, `me-top-tracks-<range>`, `me-recently-played`, ...). */
export function sourceFromSlug(slug: string): SourceRef | undefined {
  if (slug === RECENTLY_PLAYED.slug) return RECENTLY_PLAYED;
  if (slug === STREAMING_HISTORY.slug) return STREAMING_HISTORY;
  if (slug.startsWith('me-top-tracks-')) {
    const range = slug.slice('me-top-tracks-'.length);
    return isTimeRange(range) ? topTracksSource(range) : undefined;
  }
  const id = slug.startsWith('playlist-') ? slug.slice('playlist-'.length) : '';
  return PLAYLIST_ID_PATTERN.test(id) ? playlistSource(id) : undefined;
}
