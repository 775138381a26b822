import { cleanText, type Track } from '../commons/domain/tracks';

/**
 * The cells every dataset of tracks has (TRACK_COLUMNS), from a usable track (checked with
 * `usableTrack`): the credited artists (those with a name) in credit order, names and ids aligned,
 * and the text cleaned.
 */
export function trackCells(track: Track) {
  const credited = track.artists.filter((artist) => cleanText(artist.name) !== '');
  return {
    track_id: track.id ?? '',
    track_name: cleanText(track.name),
    artist_names: credited.map((artist) => cleanText(artist.name)),
    artist_ids: credited.map((artist) => artist.id),
    album_id: track.album.id,
    album_name: track.album.name === null ? null : cleanText(track.album.name),
    duration_ms: track.durationMs,
    explicit: track.explicit,
    isrc: track.isrc,
    track_url: track.url,
  };
}
