import type { RawPlaylistDocument } from '../../functions/commons/domain/staging-documents';
import type { TopTrackRecord } from '../../functions/commons/domain/top-track-record';

/** Builders for plain-data tests: a minimal valid track, entry, page and staged document. */
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

export function rawDocument(overrides: Partial<RawPlaylistDocument> = {}): RawPlaylistDocument {
  return {
    schemaVersion: 1,
    snapshotDate: '2026-03-01',
    playlistId: 'playlist1',
    fetchedAt: '2026-03-01T06:00:00.000Z',
    apiShape: 'tracks',
    playlist: { id: 'playlist1', name: 'Top 50 - Test' },
    itemPages: [],
    artists: { status: 'not_needed' },
    audioFeatures: { status: 'not_needed' },
    ...overrides,
  };
}

export function page(items: RawPlaylistDocument['itemPages'][number]['items'], next: string | null = null) {
  return { items, next, total: items.length };
}

export function record(overrides: Partial<TopTrackRecord> = {}): TopTrackRecord {
  return {
    snapshot_date: '2026-03-01',
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
    ...overrides,
  };
}
