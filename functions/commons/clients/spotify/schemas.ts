import { z } from 'zod';

/**
 * Schemas for the parts of Spotify's Web API payloads we read. Fields that Spotify removed for
 * development-mode apps in 2026 (popularity, genres, ...) are optional so both API shapes parse.
 * Unknown fields pass through untouched: the raw payload is staged as Spotify sent it.
 */
const nullableString = z.string().nullable().optional();
const nullableNumber = z.number().nullable().optional();

export const simplifiedArtistSchema = z.looseObject({
  id: z.string().nullable(),
  name: z.string(),
});

export const albumSchema = z.looseObject({
  id: z.string().nullable(),
  name: z.string(),
  album_type: nullableString,
  release_date: nullableString,
  total_tracks: nullableNumber,
});

export const trackSchema = z.looseObject({
  type: z.literal('track'),
  id: z.string().nullable(),
  name: z.string(),
  artists: z.array(simplifiedArtistSchema),
  album: albumSchema,
  duration_ms: z.number(),
  explicit: z.boolean(),
  is_local: z.boolean().optional(),
  is_playable: z.boolean().optional(),
  popularity: nullableNumber,
  external_ids: z.looseObject({ isrc: nullableString }).nullable().optional(),
  external_urls: z.looseObject({ spotify: nullableString }).nullable().optional(),
});

export const episodeSchema = z.looseObject({ type: z.literal('episode') });

/** `track` (legacy `/tracks`) or `item` (2026 `/items`): one of them carries the entry. */
export const playlistEntrySchema = z.looseObject({
  added_at: nullableString,
  is_local: z.boolean().optional(),
  track: z.union([trackSchema, episodeSchema]).nullable().optional(),
  item: z.union([trackSchema, episodeSchema]).nullable().optional(),
});

export const playlistItemsPageSchema = z.looseObject({
  items: z.array(playlistEntrySchema.nullable()),
  next: z.string().nullable(),
  offset: z.number().optional(),
  total: z.number(),
});

export const playlistSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  snapshot_id: nullableString,
  /**
   * The first page of entries, embedded: under `tracks` (legacy) or `items` (2026). Either may be
   * absent, null, or a bare `{ href, total }` summary; the catalog decides which one it can use.
   */
  tracks: z.unknown().optional(),
  items: z.unknown().optional(),
});

export const fullArtistSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  genres: z.array(z.string()).optional(),
  popularity: nullableNumber,
});

export const severalArtistsSchema = z.looseObject({
  artists: z.array(fullArtistSchema.nullable()),
});

export const audioFeaturesSchema = z.looseObject({
  id: z.string(),
  danceability: nullableNumber,
  energy: nullableNumber,
  speechiness: nullableNumber,
  acousticness: nullableNumber,
  instrumentalness: nullableNumber,
  liveness: nullableNumber,
  valence: nullableNumber,
  tempo: nullableNumber,
});

export const severalAudioFeaturesSchema = z.looseObject({
  audio_features: z.array(audioFeaturesSchema.nullable()),
});

export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number(),
  refresh_token: z.string().optional(),
  scope: z.string().optional(),
});

export const errorBodySchema = z.looseObject({
  error: z.union([
    z.string(),
    z.looseObject({ status: z.number().optional(), message: z.string().optional() }),
  ]),
  error_description: z.string().optional(),
});

export type SpotifyTrack = z.infer<typeof trackSchema>;
export type PlaylistEntry = z.infer<typeof playlistEntrySchema>;
export type PlaylistItemsPage = z.infer<typeof playlistItemsPageSchema>;
export type SpotifyPlaylist = z.infer<typeof playlistSchema>;
export type FullArtist = z.infer<typeof fullArtistSchema>;
export type AudioFeatures = z.infer<typeof audioFeaturesSchema>;
