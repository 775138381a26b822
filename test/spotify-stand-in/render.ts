import type { PlaylistEntryFixture } from './playlists';
import { artistById, type SampleArtist, type SampleTrack } from './sample-data';

/** JSON shapes as Spotify's Web API reference documents them, in the legacy or the 2026 form. */
export type ApiShape = 'legacy' | '2026';

const OPEN = 'https://open.spotify.com';

function simplifiedArtist(base: string, artist: SampleArtist) {
  return {
    external_urls: { spotify: `${OPEN}/artist/${artist.id}` },
    href: `${base}/v1/artists/${artist.id}`,
    id: artist.id,
    name: artist.name,
    type: 'artist',
    uri: `spotify:artist:${artist.id}`,
  };
}

export function renderTrack(base: string, track: SampleTrack, shape: ApiShape, id: string | null = track.id) {
  const artists = track.artistIds.flatMap((artistId) => {
    const artist = artistById(artistId);
    return artist ? [simplifiedArtist(base, artist)] : [];
  });
  const precision =
    track.album.releaseDate.length === 4 ? 'year' : track.album.releaseDate.length === 7 ? 'month' : 'day';
  return {
    album: {
      album_type: track.album.albumType,
      artists,
      external_urls: { spotify: `${OPEN}/album/${track.album.id}` },
      href: `${base}/v1/albums/${track.album.id}`,
      id: track.album.id,
      images: [{ url: `${OPEN}/image/${track.album.id}`, height: 640, width: 640 }],
      name: track.album.name,
      release_date: track.album.releaseDate,
      release_date_precision: precision,
      total_tracks: track.album.totalTracks,
      type: 'album',
      uri: `spotify:album:${track.album.id}`,
      ...(shape === 'legacy' ? { available_markets: ['US', 'JP', 'BR'] } : {}),
    },
    artists,
    disc_number: 1,
    duration_ms: track.durationMs,
    explicit: track.explicit,
    external_ids: { isrc: track.isrc },
    external_urls: { spotify: `${OPEN}/track/${track.id}` },
    href: `${base}/v1/tracks/${track.id}`,
    id,
    is_local: false,
    name: track.name,
    preview_url: null,
    track_number: 1,
    type: 'track',
    uri: `spotify:track:${track.id}`,
    ...(shape === 'legacy' ? { popularity: track.popularity, available_markets: ['US', 'JP', 'BR'] } : {}),
  };
}

function localFile(name: string) {
  return {
    album: {
      album_type: null,
      artists: [],
      id: null,
      images: [],
      name: '',
      release_date: null,
      type: 'album',
      uri: null,
    },
    artists: [{ id: null, name: 'Home Recording', type: 'artist', uri: null }],
    duration_ms: 201_000,
    explicit: false,
    external_ids: {},
    external_urls: {},
    href: null,
    id: null,
    is_local: true,
    name,
    popularity: 0,
    type: 'track',
    uri: `spotify:local:::${encodeURIComponent(name)}:201`,
  };
}

function episode(name: string) {
  return {
    description: 'A talk episode in the middle of a music playlist.',
    duration_ms: 1_800_000,
    explicit: false,
    id: 'episode0000000000000001',
    name,
    release_date: '2026-01-05',
    type: 'episode',
    uri: 'spotify:episode:episode0000000000000001',
  };
}

export function renderEntry(base: string, entry: PlaylistEntryFixture, shape: ApiShape, addedAt: string) {
  const payload =
    entry.kind === 'track'
      ? renderTrack(base, entry.track, shape)
      : entry.kind === 'unavailable'
        ? renderTrack(base, entry.track, shape, null)
        : entry.kind === 'local'
          ? localFile(entry.name)
          : entry.kind === 'episode'
            ? episode(entry.name)
            : entry.kind === 'malformed'
              ? { type: 'track', id: 'malformed0000000000001', name: entry.name }
              : null;
  const added = entry.kind === 'track' ? entry.track.addedAt : addedAt;
  const common = {
    added_at: added,
    added_by: {
      external_urls: { spotify: `${OPEN}/user/spotify` },
      id: 'spotify',
      type: 'user',
      uri: 'spotify:user:spotify',
    },
    is_local: entry.kind === 'local',
    primary_color: null,
    video_thumbnail: { url: null },
  };
  return shape === 'legacy' ? { ...common, track: payload } : { ...common, item: payload };
}

export function renderFullArtist(base: string, artist: SampleArtist, shape: ApiShape) {
  return {
    ...simplifiedArtist(base, artist),
    images: [],
    genres: artist.genres,
    ...(shape === 'legacy'
      ? { popularity: artist.popularity, followers: { href: null, total: artist.followers } }
      : {}),
  };
}

export function renderAudioFeatures(base: string, track: SampleTrack) {
  return {
    ...track.features,
    id: track.id,
    uri: `spotify:track:${track.id}`,
    track_href: `${base}/v1/tracks/${track.id}`,
    analysis_url: `${base}/v1/audio-analysis/${track.id}`,
    duration_ms: track.durationMs,
    key: track.durationMs % 12,
    mode: track.durationMs % 2,
    loudness: -5.5,
    time_signature: 4,
    type: 'audio_features',
  };
}
