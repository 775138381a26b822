import * as z from 'zod/mini';
import '../../validation';

/**
 * Schemas for the parts of Spotify's Web API payloads we read. Fields that Spotify removed for
 * development-mode apps in 2026 (popularity, genres, ...) are optional so both API shapes parse.
 * Unknown fields pass through untouched: the raw payload is staged as Spotify sent it.
 */
const nullableString = z.optional(z.nullable(z.string()));
const nullableNumber = z.optional(z.nullable(z.number()));

/** Every field of SimplifiedArtistObject is optional in Spotify's OpenAPI definition: no id is an empty id. */
export const simplifiedArtistSchema = z.looseObject({
  id: nullableString,
  name: z.string(),
});

export const albumSchema = z.looseObject({
  id: z.nullable(z.string()),
  name: z.string(),
  album_type: nullableString,
  release_date: nullableString,
  total_tracks: nullableNumber,
});

export const trackSchema = z.looseObject({
  type: z.literal('track'),
  id: z.nullable(z.string()),
  name: z.string(),
  artists: z.array(simplifiedArtistSchema),
  album: albumSchema,
  duration_ms: z.number(),
  explicit: z.boolean(),
  is_local: z.optional(z.boolean()),
  is_playable: z.optional(z.boolean()),
  popularity: nullableNumber,
  external_ids: z.optional(z.nullable(z.looseObject({ isrc: nullableString }))),
  external_urls: z.optional(z.nullable(z.looseObject({ spotify: nullableString }))),
});

export const episodeSchema = z.looseObject({ type: z.literal('episode') });

const entryPayload = z.optional(z.nullable(z.union([trackSchema, episodeSchema])));

/** `track` (legacy `/tracks`) or `item` (2026 `/items`): one of them carries the entry. */
export const playlistEntrySchema = z.looseObject({
  added_at: nullableString,
  is_local: z.optional(z.boolean()),
  track: entryPayload,
  item: entryPayload,
});

/**
 * A page's entries are validated one by one (playlistEntrySchema) when they are read, so one odd
 * entry is skipped and counted as `invalid` instead of failing the whole playlist.
 */
export const playlistItemsPageSchema = z.looseObject({
  items: z.array(z.unknown()),
  next: z.nullable(z.string()),
  offset: z.optional(z.number()),
  total: z.number(),
});

/** How many entries the pages hold (null and odd entries included: each has a rank). */
export function countEntries(pages: readonly { items: readonly unknown[] }[]): number {
  return pages.reduce((sum, page) => sum + page.items.length, 0);
}

/** `GET /me/top/tracks`: a paging object of full tracks (each validated on its own when read). */
export const topTracksPageSchema = z.looseObject({
  items: z.array(z.unknown()),
  next: z.nullable(z.string()),
  total: z.optional(z.number()),
});

/** One element of `GET /me/player/recently-played`. */
export const playHistorySchema = z.looseObject({
  track: z.union([trackSchema, episodeSchema]),
  played_at: z.string(),
  context: z.optional(
    z.nullable(
      z.looseObject({ type: z.optional(z.nullable(z.string())), uri: z.optional(z.nullable(z.string())) }),
    ),
  ),
});

export const recentlyPlayedPageSchema = z.looseObject({
  items: z.array(z.unknown()),
  next: z.optional(z.nullable(z.string())),
  cursors: z.optional(
    z.nullable(
      z.looseObject({
        after: z.optional(z.nullable(z.string())),
        before: z.optional(z.nullable(z.string())),
      }),
    ),
  ),
});

export const playlistSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  snapshot_id: nullableString,
  /**
   * The first page of entries, embedded: under `tracks` (legacy) or `items` (2026). Either may be
   * absent, null, or a bare `{ href, total }` summary; the catalog decides which one it can use.
   */
  tracks: z.optional(z.unknown()),
  items: z.optional(z.unknown()),
});

export const fullArtistSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  genres: z.optional(z.array(z.string())),
  popularity: nullableNumber,
});

/** Elements are validated one by one when read: a thin artist (no name) only loses its genres. */
export const severalArtistsSchema = z.looseObject({
  artists: z.array(z.unknown()),
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
  audio_features: z.array(z.unknown()),
});

export const tokenResponseSchema = z.looseObject({
  access_token: z.string().check(z.minLength(1)),
  token_type: z.string(),
  expires_in: z.number(),
  refresh_token: z.optional(z.string()),
  scope: z.optional(z.string()),
});

export const errorBodySchema = z.looseObject({
  error: z.union([
    z.string(),
    z.looseObject({
      status: z.optional(z.number()),
      message: z.optional(z.string()),
      reason: z.optional(z.string()),
    }),
  ]),
  error_description: z.optional(z.string()),
});

export type SpotifyTrack = z.infer<typeof trackSchema>;
export type TopTracksPage = z.infer<typeof topTracksPageSchema>;
export type RecentlyPlayedPage = z.infer<typeof recentlyPlayedPageSchema>;
export type PlaylistEntry = z.infer<typeof playlistEntrySchema>;
export type PlaylistItemsPage = z.infer<typeof playlistItemsPageSchema>;
export type SpotifyPlaylist = z.infer<typeof playlistSchema>;
export type FullArtist = z.infer<typeof fullArtistSchema>;
export type AudioFeatures = z.infer<typeof audioFeaturesSchema>;
