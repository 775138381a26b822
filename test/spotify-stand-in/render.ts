import type { PlaylistEntryFixture } from './playlists';
import { artistById, type SampleArtist, type SampleTrack, type SampleUser } from './sample-data';

/**
 * JSON shapes as Spotify's OpenAPI definition of the Web API (2026) documents them, with the fields
 * each quota mode gets:
 * - `development` (a development-mode app created after 2026-02-11): no track/album `popularity`,
 *   `available_markets` or `linked_from`, no artist `popularity`/`followers`, no show `publisher`;
 *   `external_ids` kept (March 2026 revert).
 * - `extended_quota`: the fields as they always were (deprecated ones included).
 */
export type StandInMode = 'development' | 'extended_quota';

/** Which key a playlist entry carries its track or episode under: `item` (/items) or `track` (/tracks). */
export type EntryField = 'item' | 'track';

export interface TrackRendering {
  readonly mode: StandInMode;
  /**
   * Whether a market applies (a user token's country or `market=`): then tracks carry `is_playable`,
   * and unavailable ones `is_playable: false` with `restrictions`.
   */
  readonly market?: boolean;
}

const OPEN = 'https://open.spotify.com';
const MARKETS = ['BR', 'DE', 'JP', 'US'];

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

/** PlaylistUserObject (`added_by`), or with `display_name` PlaylistOwnerObject (`owner`). */
export function renderUser(base: string, user: SampleUser, withDisplayName: boolean) {
  return {
    ...(withDisplayName ? { display_name: user.displayName } : {}),
    external_urls: { spotify: `${OPEN}/user/${user.id}` },
    href: `${base}/v1/users/${user.id}`,
    id: user.id,
    type: 'user',
    uri: `spotify:user:${user.id}`,
  };
}

/** TrackObject; `available: false` renders a track the market cannot play. */
export function renderTrack(base: string, track: SampleTrack, rendering: TrackRendering, available = true) {
  const extended = rendering.mode === 'extended_quota';
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
      ...(extended ? { available_markets: available ? MARKETS : [] } : {}),
      external_urls: { spotify: `${OPEN}/album/${track.album.id}` },
      href: `${base}/v1/albums/${track.album.id}`,
      id: track.album.id,
      images: [
        { url: `https://i.scdn.co/image/${track.album.id}-640`, height: 640, width: 640 },
        { url: `https://i.scdn.co/image/${track.album.id}-300`, height: 300, width: 300 },
      ],
      name: track.album.name,
      release_date: track.album.releaseDate,
      release_date_precision: precision,
      total_tracks: track.album.totalTracks,
      type: 'album',
      uri: `spotify:album:${track.album.id}`,
    },
    artists,
    ...(extended ? { available_markets: available ? MARKETS : [] } : {}),
    disc_number: 1,
    duration_ms: track.durationMs,
    explicit: track.explicit,
    external_ids: { isrc: track.isrc },
    external_urls: { spotify: `${OPEN}/track/${track.id}` },
    href: `${base}/v1/tracks/${track.id}`,
    id: track.id,
    is_local: false,
    ...(rendering.market ? { is_playable: available } : {}),
    ...(rendering.market && !available ? { restrictions: { reason: 'market' } } : {}),
    name: track.name,
    ...(extended ? { popularity: available ? track.popularity : 0 } : {}),
    preview_url: null,
    track_number: 1,
    type: 'track',
    uri: `spotify:track:${track.id}`,
  };
}

/** A local file in a playlist: a TrackObject with no Spotify ids, as Spotify returns it. */
function localFile(name: string, rendering: TrackRendering) {
  const extended = rendering.mode === 'extended_quota';
  return {
    album: {
      album_type: null,
      artists: [],
      ...(extended ? { available_markets: [] } : {}),
      external_urls: {},
      href: null,
      id: null,
      images: [],
      name: '',
      release_date: null,
      release_date_precision: null,
      type: 'album',
      uri: null,
    },
    artists: [{ external_urls: {}, href: null, id: null, name: 'Home Recording', type: 'artist', uri: null }],
    ...(extended ? { available_markets: [] } : {}),
    disc_number: 0,
    duration_ms: 201_000,
    explicit: false,
    external_ids: {},
    external_urls: {},
    href: null,
    id: null,
    is_local: true,
    name,
    ...(extended ? { popularity: 0 } : {}),
    preview_url: null,
    track_number: 0,
    type: 'track',
    uri: `spotify:local:Home+Recording::${encodeURIComponent(name).replace(/%20/g, '+')}:201`,
  };
}

const EPISODE_ID = '5pSbqvKBHNDN0bvvKxtqjL';
const SHOW_ID = '2mTUnDkuKUkhiueKcVWoP0';

/** EpisodeObject (with its SimplifiedShowObject), as a playlist can hold one. */
function episode(base: string, name: string, rendering: TrackRendering) {
  const extended = rendering.mode === 'extended_quota';
  const description = 'A talk episode in the middle of a music playlist.';
  return {
    audio_preview_url: null,
    description,
    duration_ms: 1_800_000,
    explicit: false,
    external_urls: { spotify: `${OPEN}/episode/${EPISODE_ID}` },
    href: `${base}/v1/episodes/${EPISODE_ID}`,
    html_description: `<p>${description}</p>`,
    id: EPISODE_ID,
    images: [{ url: `https://i.scdn.co/image/${EPISODE_ID}-640`, height: 640, width: 640 }],
    is_externally_hosted: false,
    is_playable: true,
    languages: ['en'],
    name,
    release_date: '2026-01-05',
    release_date_precision: 'day',
    show: {
      ...(extended ? { available_markets: MARKETS } : {}),
      copyrights: [],
      description: 'Weekly chart talk (sample).',
      explicit: false,
      external_urls: { spotify: `${OPEN}/show/${SHOW_ID}` },
      href: `${base}/v1/shows/${SHOW_ID}`,
      html_description: '<p>Weekly chart talk (sample).</p>',
      id: SHOW_ID,
      images: [],
      is_externally_hosted: false,
      languages: ['en'],
      media_type: 'audio',
      name: 'Chart Talk',
      ...(extended ? { publisher: 'Sample Studios' } : {}),
      total_episodes: 12,
      type: 'show',
      uri: `spotify:show:${SHOW_ID}`,
    },
    type: 'episode',
    uri: `spotify:episode:${EPISODE_ID}`,
  };
}

export interface EntryRendering extends TrackRendering {
  readonly field: EntryField;
  readonly addedAt: string | null;
  readonly addedBy: SampleUser | null;
}

/** PlaylistTrackObject: `added_at`, `added_by`, `is_local` and the track or episode under `item` or `track`. */
export function renderEntry(base: string, entry: PlaylistEntryFixture, rendering: EntryRendering) {
  const payload =
    entry.kind === 'track'
      ? renderTrack(base, entry.track, rendering)
      : entry.kind === 'unavailable'
        ? renderTrack(base, entry.track, rendering, false)
        : entry.kind === 'local'
          ? localFile(entry.name, rendering)
          : entry.kind === 'episode'
            ? episode(base, entry.name, rendering)
            : entry.kind === 'malformed'
              ? { type: 'track', id: 'malformed0000000000001', name: entry.name }
              : null;
  return {
    added_at: entry.kind === 'track' ? entry.track.addedAt : rendering.addedAt,
    added_by: rendering.addedBy ? renderUser(base, rendering.addedBy, false) : null,
    is_local: entry.kind === 'local',
    [rendering.field]: payload,
  };
}

/** ArtistObject: `genres` (deprecated) always; `popularity` and `followers` only in extended quota. */
export function renderFullArtist(base: string, artist: SampleArtist, mode: StandInMode) {
  return {
    ...simplifiedArtist(base, artist),
    ...(mode === 'extended_quota' ? { followers: { href: null, total: artist.followers } } : {}),
    genres: artist.genres,
    images: [{ url: `https://i.scdn.co/image/${artist.id}-640`, height: 640, width: 640 }],
    ...(mode === 'extended_quota' ? { popularity: artist.popularity } : {}),
  };
}

/** AudioFeaturesObject (extended quota only: development-mode apps get 403). */
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
