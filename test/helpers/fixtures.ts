import type { PlayRecord } from '../../functions/datasets/recently-played';
import type { TopTrackRecord } from '../../functions/datasets/top-tracks';
import type { Track } from '../../functions/commons/domain/tracks';

/**
 * Builders for plain-data tests. The wire builders (`track`, `page`, the payloads) make Spotify's
 * JSON as the adapters read it; the domain builders (`domainTrack`, the records) make what the
 * adapters and datasets produce.
 */

/** A minimal valid Web API track object (what `/tracks`, `/items`, `/me/top/tracks` carry). */
export function track(
  id: string | null,
  name: string,
  artists: [string | null, string][],
  extra: Record<string, unknown> = {},
) {
  return {
    type: 'track' as const,
    id,
    name,
    artists: artists.map(([artistId, artistName]) => ({ id: artistId, name: artistName })),
    album: {
      id: `album-${id ?? 'x'}`,
      name: `Album of ${name}`,
      album_type: 'single',
      release_date: '2026-01',
      total_tracks: 1,
    },
    duration_ms: 200_000,
    explicit: false,
    external_ids: { isrc: `ISRC${id ?? ''}` },
    external_urls: { spotify: `https://open.spotify.com/track/${id ?? ''}` },
    ...extra,
  };
}

/** A paging object as Spotify sends it. */
export function page(items: unknown[], next: string | null = null) {
  return { items, next, total: items.length };
}

type EnrichmentPayload =
  | { status: 'ok'; responses: unknown[] }
  | { status: 'unavailable'; httpStatus: number; reason: string }
  | { status: 'not_needed' };

const NOT_NEEDED: EnrichmentPayload = { status: 'not_needed' };

/** The staged payload of a playlist (what the playlist adapter's `fetch` stages and `read` reads). */
export function playlistPayload(
  overrides: {
    id?: string;
    name?: string;
    itemsPath?: 'items' | 'tracks';
    itemPages?: unknown[];
    artists?: EnrichmentPayload;
    audioFeatures?: EnrichmentPayload;
  } = {},
) {
  return {
    playlist: { id: overrides.id ?? 'playlist1', name: overrides.name ?? 'Top 50 - Test' },
    itemsPath: overrides.itemsPath ?? 'tracks',
    itemPages: overrides.itemPages ?? [],
    artists: overrides.artists ?? NOT_NEEDED,
    audioFeatures: overrides.audioFeatures ?? NOT_NEEDED,
  };
}

/** The staged payload of `me:top-tracks:<range>`. */
export function topTracksPayload(
  items: unknown[],
  enrichments: { artists?: EnrichmentPayload; audioFeatures?: EnrichmentPayload } = {},
) {
  return {
    timeRange: 'short_term',
    pages: [page(items)],
    artists: enrichments.artists ?? NOT_NEEDED,
    audioFeatures: enrichments.audioFeatures ?? NOT_NEEDED,
  };
}

/** One element of `GET /me/player/recently-played`. */
export function playHistory(
  trackPayload: unknown,
  playedAt: string,
  context: { type?: string | null; uri?: string | null } | null = null,
) {
  return { track: trackPayload, played_at: playedAt, context };
}

/** The staged payload of `me:recently-played`. */
export function recentlyPlayedPayload(items: unknown[], afterMs: number | null = null) {
  return { afterMs, pages: [{ items, next: null, cursors: null }] };
}

/** A domain Track (what the adapters produce), complete unless overridden. */
export function domainTrack(
  id: string | null,
  name: string,
  artists: [string | null, string][],
  overrides: Partial<Track> = {},
): Track {
  return {
    id,
    name,
    artists: artists.map(([artistId, artistName]) => ({ id: artistId, name: artistName })),
    album: {
      id: `album-${id ?? 'x'}`,
      name: `Album of ${name}`,
      type: 'single',
      releaseDate: '2026-01',
      totalTracks: 1,
    },
    durationMs: 200_000,
    explicit: false,
    popularity: null,
    isrc: `ISRC${id ?? ''}`,
    url: `https://open.spotify.com/track/${id ?? ''}`,
    ...overrides,
  };
}

/** A complete top_tracks row of a playlist source. */
export function topTrackRecord(overrides: Partial<TopTrackRecord> = {}): TopTrackRecord {
  return {
    playlist_id: 'playlist1',
    playlist_name: 'Top 50 - Test',
    rank: 1,
    track_id: 'track1',
    track_name: 'Song',
    artist_names: ['Artist'],
    artist_ids: ['artist1'],
    album_id: 'album1',
    album_name: 'Album',
    album_type: 'single',
    album_release_date: '2026-01-01',
    album_total_tracks: 1,
    duration_ms: 200000,
    explicit: false,
    popularity: null,
    isrc: 'ISRC1',
    track_url: 'https://open.spotify.com/track/track1',
    added_at: '2026-02-01T00:00:00Z',
    artist_genres: [],
    danceability: 0.5,
    energy: 0.5,
    speechiness: 0.1,
    acousticness: 0.2,
    instrumentalness: 0,
    liveness: 0.1,
    valence: 0.6,
    tempo: 120,
    source: 'playlist:playlist1',
    source_name: 'Top 50 - Test',
    snapshot_date: '2026-03-01',
    ...overrides,
  };
}

/** A complete recently_played row as the API reports it (the export-only columns empty). */
export function playRecord(overrides: Partial<PlayRecord> = {}): PlayRecord {
  return {
    played_at: '2026-03-01T10:00:00.000Z',
    track_id: 'track1',
    track_name: 'Song',
    artist_names: ['Artist'],
    artist_ids: ['artist1'],
    album_id: 'album1',
    album_name: 'Album',
    duration_ms: 200000,
    explicit: false,
    isrc: 'ISRC1',
    track_url: 'https://open.spotify.com/track/track1',
    context_type: 'playlist',
    context_uri: 'spotify:playlist:playlist1',
    source: 'api',
    ms_played: null,
    reason_start: null,
    reason_end: null,
    shuffle: null,
    skipped: null,
    offline: null,
    conn_country: null,
    platform: null,
    played_date: '2026-03-01',
    ...overrides,
  };
}

/**
 * The same play as a streaming-history export reports it: the export-only columns filled, and of
 * the catalog only what the export names (the album's artist, no ids, no duration or context).
 */
export function exportedPlay(overrides: Partial<PlayRecord> = {}): PlayRecord {
  return playRecord({
    artist_ids: [null],
    album_id: null,
    duration_ms: null,
    explicit: null,
    isrc: null,
    context_type: null,
    context_uri: null,
    source: 'export',
    ms_played: 185000,
    reason_start: 'trackdone',
    reason_end: 'endplay',
    shuffle: false,
    skipped: false,
    offline: false,
    conn_country: 'DE',
    platform: 'android',
    ...overrides,
  });
}
