import {
  playlistEntrySchema,
  type AudioFeatures,
  type FullArtist,
  type PlaylistEntry,
  type SpotifyTrack,
} from '../commons/clients/spotify/schemas';
import type { RawPlaylistDocument, SkipCounts, SkipReason } from '../commons/domain/staging-documents';
import type { TopTrackRecord } from '../commons/domain/top-track-record';

export interface NormalizedPlaylist {
  readonly records: TopTrackRecord[];
  readonly itemsSeen: number;
  readonly skipped: SkipCounts;
  /** Enrichments Spotify refused, e.g. `audio_features (HTTP 403)`. */
  readonly enrichmentUnavailable: string[];
}

export const emptySkipCounts = (): SkipCounts => ({
  null_item: 0,
  invalid: 0,
  local_file: 0,
  episode: 0,
  unavailable: 0,
  duplicate: 0,
});

type Classified =
  | { kind: 'keep'; track: SpotifyTrack; id: string; entry: PlaylistEntry }
  | { kind: 'skip'; reason: SkipReason };

/**
 * The documented rule for entries that are not a plain, identifiable track:
 * null entries, entries that do not match Spotify's documented shape, local files, episodes and
 * tracks without an id are skipped; a track that appears twice keeps its first (highest) position.
 * Every skip is counted by reason.
 */
function classify(raw: unknown, seen: ReadonlySet<string>): Classified {
  if (raw === null) return { kind: 'skip', reason: 'null_item' };
  const parsed = playlistEntrySchema.safeParse(raw);
  if (!parsed.success) return { kind: 'skip', reason: 'invalid' };
  const entry = parsed.data;
  const payload = entry.item ?? entry.track ?? null;
  if (entry.is_local === true) return { kind: 'skip', reason: 'local_file' };
  if (payload === null) return { kind: 'skip', reason: 'null_item' };
  if (payload.type === 'episode') return { kind: 'skip', reason: 'episode' };
  if (payload.is_local === true) return { kind: 'skip', reason: 'local_file' };
  const id = payload.id;
  if (id === null || id === '') return { kind: 'skip', reason: 'unavailable' };
  if (seen.has(id)) return { kind: 'skip', reason: 'duplicate' };
  return { kind: 'keep', track: payload, id, entry };
}

/** Collapses line breaks and tabs so every CSV row is one physical line for line-based readers. */
const LINE_BREAKS = /[\r\n\t\u2028\u2029]+/g;
const HAS_LINE_BREAK = /[\r\n\t\u2028\u2029]/;
export function cleanText(value: string): string {
  return HAS_LINE_BREAK.test(value) ? value.replace(LINE_BREAKS, ' ').trim() : value.trim();
}

function indexArtists(document: RawPlaylistDocument): Map<string, FullArtist> {
  const byId = new Map<string, FullArtist>();
  if (document.artists.status !== 'ok') return byId;
  for (const response of document.artists.responses) {
    for (const artist of response.artists) if (artist) byId.set(artist.id, artist);
  }
  return byId;
}

function indexAudioFeatures(document: RawPlaylistDocument): Map<string, AudioFeatures> {
  const byId = new Map<string, AudioFeatures>();
  if (document.audioFeatures.status !== 'ok') return byId;
  for (const response of document.audioFeatures.responses) {
    for (const features of response.audio_features) if (features) byId.set(features.id, features);
  }
  return byId;
}

function genresOf(artistIds: readonly string[], artists: ReadonlyMap<string, FullArtist>): string[] {
  const genres = new Set<string>();
  for (const id of artistIds) for (const genre of artists.get(id)?.genres ?? []) genres.add(cleanText(genre));
  return [...genres];
}

function describeUnavailable(document: RawPlaylistDocument): string[] {
  const unavailable: string[] = [];
  if (document.artists.status === 'unavailable')
    unavailable.push(`artists (HTTP ${document.artists.httpStatus})`);
  if (document.audioFeatures.status === 'unavailable')
    unavailable.push(`audio_features (HTTP ${document.audioFeatures.httpStatus})`);
  return unavailable;
}

/** Flattens one playlist's staged payloads into one record per kept entry, joined with its enrichment. */
export function normalizePlaylist(document: RawPlaylistDocument): NormalizedPlaylist {
  const artists = indexArtists(document);
  const audioFeatures = indexAudioFeatures(document);
  const skipped = emptySkipCounts();
  const seen = new Set<string>();
  const records: TopTrackRecord[] = [];
  const playlistName = cleanText(document.playlist.name);
  let position = 0;

  for (const page of document.itemPages) {
    for (const entry of page.items) {
      position += 1;
      const classified = classify(entry, seen);
      if (classified.kind === 'skip') {
        skipped[classified.reason] += 1;
        continue;
      }
      const { track, id } = classified;
      seen.add(id);
      const credited = track.artists.filter((artist) => artist.name.trim() !== '' || artist.id !== null);
      const artistIds = credited.flatMap((artist) => (artist.id ? [artist.id] : []));
      const features = audioFeatures.get(id);
      records.push({
        snapshot_date: document.snapshotDate,
        playlist_id: document.playlistId,
        playlist_name: playlistName,
        rank: position,
        track_id: id,
        track_name: cleanText(track.name),
        artist_names: credited.map((artist) => cleanText(artist.name)),
        artist_ids: artistIds,
        album_id: track.album.id,
        album_name: cleanText(track.album.name),
        album_type: track.album.album_type ?? null,
        album_release_date: track.album.release_date ?? null,
        album_total_tracks: track.album.total_tracks ?? null,
        duration_ms: track.duration_ms,
        explicit: track.explicit,
        popularity: track.popularity ?? null,
        isrc: track.external_ids?.isrc ?? null,
        track_url: track.external_urls?.spotify ?? null,
        added_at: classified.entry.added_at ?? null,
        artist_genres: genresOf(artistIds, artists),
        danceability: features?.danceability ?? null,
        energy: features?.energy ?? null,
        speechiness: features?.speechiness ?? null,
        acousticness: features?.acousticness ?? null,
        instrumentalness: features?.instrumentalness ?? null,
        liveness: features?.liveness ?? null,
        valence: features?.valence ?? null,
        tempo: features?.tempo ?? null,
      });
    }
  }

  return { records, itemsSeen: position, skipped, enrichmentUnavailable: describeUnavailable(document) };
}
