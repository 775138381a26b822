import * as z from 'zod/mini';
import '../validation';
import {
  playlistItemsPageSchema,
  playlistSchema,
  severalArtistsSchema,
  severalAudioFeaturesSchema,
} from '../clients/spotify/schemas';
import { topTrackRecordSchema } from './top-track-record';

/** Which playlist-items endpoint answered: 2026 `/items` (entries under `item`) or legacy `/tracks`. */
export const apiShapeSchema = z.enum(['items', 'tracks']);
export type ApiShape = z.infer<typeof apiShapeSchema>;

/** An enrichment either came back in full or was refused (403/404) and left its columns empty. */
const enrichmentSchema = <T extends z.ZodMiniType>(response: T) =>
  z.discriminatedUnion('status', [
    z.object({ status: z.literal('ok'), responses: z.array(response) }),
    z.object({ status: z.literal('unavailable'), httpStatus: z.number(), reason: z.string() }),
    z.object({ status: z.literal('not_needed') }),
  ]);

/** What Extract stages for one playlist: Spotify's payloads, as received, plus how they were fetched. */
export const rawPlaylistDocumentSchema = z.object({
  schemaVersion: z.literal(1),
  snapshotDate: z.string(),
  playlistId: z.string(),
  fetchedAt: z.string(),
  apiShape: apiShapeSchema,
  playlist: playlistSchema,
  itemPages: z.array(playlistItemsPageSchema),
  artists: enrichmentSchema(severalArtistsSchema),
  audioFeatures: enrichmentSchema(severalAudioFeaturesSchema),
});
export type RawPlaylistDocument = z.infer<typeof rawPlaylistDocumentSchema>;
export type Enrichment<T> =
  | { status: 'ok'; responses: T[] }
  | { status: 'unavailable'; httpStatus: number; reason: string }
  | { status: 'not_needed' };

export const SKIP_REASONS = [
  'null_item',
  'local_file',
  'episode',
  'unavailable',
  'duplicate',
  'invalid',
] as const;
export const skipReasonSchema = z.enum(SKIP_REASONS);
export type SkipReason = z.infer<typeof skipReasonSchema>;
export type SkipCounts = Record<SkipReason, number>;

export const skipCountsSchema = z.object({
  null_item: z.number(),
  invalid: z.number(),
  local_file: z.number(),
  episode: z.number(),
  unavailable: z.number(),
  duplicate: z.number(),
});

/** What Transform stages for the whole run: one record per kept playlist entry. */
export const normalizedDocumentSchema = z.object({
  schemaVersion: z.literal(1),
  snapshotDate: z.string(),
  playlists: z.array(
    z.object({
      playlistId: z.string(),
      playlistName: z.string(),
      apiShape: apiShapeSchema,
      itemsSeen: z.number(),
      skipped: skipCountsSchema,
      enrichmentUnavailable: z.array(z.string()),
    }),
  ),
  records: z.array(topTrackRecordSchema),
});
export type NormalizedDocument = z.infer<typeof normalizedDocumentSchema>;
