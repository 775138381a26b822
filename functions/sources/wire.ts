import * as z from 'zod/mini';
import '../commons/validation';
import {
  audioFeaturesSchema,
  fullArtistSchema,
  trackSchema,
  type SpotifyTrack,
} from '../commons/clients/spotify/schemas';
import type { Enrichment, SeveralArtists, SeveralAudioFeatures } from '../commons/clients/spotify/catalog';
import type { AudioFeatures, Correction, Enrichments, SourceEntry, Track } from '../commons/domain/tracks';

/**
 * A whole number within bounds (fractions rounded), or null: an odd number never fails a day, and
 * each change is noted so the manifest counts it.
 */
function wholeNumberIn(value: number | null, min: number, max: number, noted: Correction[]): number | null {
  if (value === null) return null;
  if (!Number.isFinite(value)) {
    noted.push('out_of_range');
    return null;
  }
  const rounded = Math.round(value);
  if (rounded !== value) noted.push('rounded');
  if (rounded >= min && rounded <= max) return rounded;
  noted.push('out_of_range');
  return null;
}

/** Spotify's track JSON as the pipeline's Track (the wire shape stops here). */
export function toTrack(track: SpotifyTrack): Track {
  const corrections: Correction[] = [];
  return {
    id: track.id,
    name: track.name,
    artists: track.artists.map((artist) => ({ id: artist.id ?? null, name: artist.name })),
    album: {
      id: track.album.id,
      name: track.album.name,
      type: track.album.album_type ?? null,
      releaseDate: track.album.release_date ?? null,
      totalTracks: wholeNumberIn(track.album.total_tracks ?? null, 0, 10_000, corrections),
    },
    durationMs: wholeNumberIn(track.duration_ms, 0, 24 * 3600 * 1000, corrections),
    explicit: track.explicit,
    popularity: wholeNumberIn(track.popularity ?? null, 0, 100, corrections),
    isrc: track.external_ids?.isrc ?? null,
    url: track.external_urls?.spotify ?? null,
    ...(corrections.length > 0 ? { corrections } : {}),
  };
}

type EntryExtras = Pick<Extract<SourceEntry, { kind: 'track' }>, 'addedAt' | 'playedAt' | 'context'>;
const NO_EXTRAS: EntryExtras = { addedAt: null, playedAt: null, context: null };

/**
 * One position of a source, from the wire: null, a local file, an episode, something that is not
 * Spotify's documented track shape, or a track. Each entry is validated on its own so one odd
 * entry is skipped and counted, not fatal to its source.
 */
export function toEntry(payload: unknown, extras: EntryExtras = NO_EXTRAS, isLocal = false): SourceEntry {
  if (payload === null || payload === undefined) return { kind: 'skip', reason: 'null_item' };
  if (isLocal) return { kind: 'skip', reason: 'local_file' };
  if (typeof payload === 'object' && 'type' in payload && payload.type === 'episode') {
    return { kind: 'skip', reason: 'episode' };
  }
  const parsed = trackSchema.safeParse(payload);
  if (!parsed.success) return { kind: 'skip', reason: 'invalid' };
  if (parsed.data.is_local === true) return { kind: 'skip', reason: 'local_file' };
  return { kind: 'track', track: toTrack(parsed.data), ...extras };
}

/** Ids worth enriching: tracks and their credited artists, each once. */
export function enrichmentIds(entries: readonly SourceEntry[]): { trackIds: string[]; artistIds: string[] } {
  const trackIds = new Set<string>();
  const artistIds = new Set<string>();
  for (const entry of entries) {
    if (entry.kind !== 'track') continue;
    if (entry.track.id) trackIds.add(entry.track.id);
    for (const artist of entry.track.artists) if (artist.id) artistIds.add(artist.id);
  }
  return { trackIds: [...trackIds], artistIds: [...artistIds] };
}

function describeRefusal(name: string, enrichment: Enrichment<unknown>): string[] {
  return enrichment.status === 'unavailable' ? [`${name} (HTTP ${enrichment.httpStatus})`] : [];
}

/**
 * The artists' genres and the tracks' audio features, by id. An element that does not match its
 * schema (a thin but valid answer) is left out: its columns stay empty, like a refused call's.
 */
export function toEnrichments(
  artists: Enrichment<SeveralArtists>,
  audioFeatures: Enrichment<SeveralAudioFeatures>,
): Enrichments {
  const genresByArtist = new Map<string, readonly string[]>();
  if (artists.status === 'ok') {
    for (const response of artists.responses) {
      for (const raw of response.artists) {
        const artist = fullArtistSchema.safeParse(raw);
        if (artist.success) genresByArtist.set(artist.data.id, artist.data.genres ?? []);
      }
    }
  }
  const featuresByTrack = new Map<string, AudioFeatures>();
  if (audioFeatures.status === 'ok') {
    for (const response of audioFeatures.responses) {
      for (const raw of response.audio_features) {
        const features = audioFeaturesSchema.safeParse(raw);
        if (!features.success) continue;
        const f = features.data;
        featuresByTrack.set(f.id, {
          danceability: f.danceability ?? null,
          energy: f.energy ?? null,
          speechiness: f.speechiness ?? null,
          acousticness: f.acousticness ?? null,
          instrumentalness: f.instrumentalness ?? null,
          liveness: f.liveness ?? null,
          valence: f.valence ?? null,
          tempo: f.tempo ?? null,
        });
      }
    }
  }
  return {
    genresByArtist,
    featuresByTrack,
    unavailable: [
      ...describeRefusal('artists', artists),
      ...describeRefusal('audio_features', audioFeatures),
    ],
  };
}

/** The staged form of an enrichment call (see Enrichment). */
export const enrichmentSchema = <T extends z.ZodMiniType>(response: T) =>
  z.discriminatedUnion('status', [
    z.object({ status: z.literal('ok'), responses: z.array(response) }),
    z.object({ status: z.literal('unavailable'), httpStatus: z.number(), reason: z.string() }),
    z.object({ status: z.literal('not_needed') }),
  ]);
