import * as z from 'zod/mini';
import '../validation';
import { playRecordSchema } from '../../datasets/recently-played';
import { topTrackRecordSchema } from '../../datasets/top-tracks';
import { CORRECTIONS, SKIP_REASONS } from './tracks';

/**
 * What Extract keeps for one source of one run: Spotify's payloads as received (the kind's adapter
 * knows their shape), and how they were fetched. The same envelope for every kind of source.
 */
export const rawSourceDocumentSchema = z.object({
  schemaVersion: z.literal(2),
  source: z.string(),
  kind: z.enum(['playlist', 'top_tracks', 'recently_played', 'streaming_history']),
  snapshotDate: z.string(),
  runId: z.string(),
  fetchedAt: z.string(),
  sourceName: z.string(),
  apiMode: z.string(),
  /** Positions the payload holds, skipped ones included. */
  entries: z.number(),
  payload: z.unknown(),
});
export type RawSourceDocument = z.infer<typeof rawSourceDocumentSchema>;

export const skipCountsSchema = z.object(
  Object.fromEntries(SKIP_REASONS.map((reason) => [reason, z.number()])) as Record<
    (typeof SKIP_REASONS)[number],
    z.ZodMiniNumber
  >,
);

export const correctionCountsSchema = z.object(
  Object.fromEntries(CORRECTIONS.map((correction) => [correction, z.number()])) as Record<
    (typeof CORRECTIONS)[number],
    z.ZodMiniNumber
  >,
);

const normalizedCommon = {
  schemaVersion: z.literal(2),
  source: z.string(),
  sourceName: z.string(),
  snapshotDate: z.string(),
  runId: z.string(),
  itemsSeen: z.number(),
  skipped: skipCountsSchema,
  corrected: correctionCountsSchema,
  enrichmentUnavailable: z.array(z.string()),
};

/** What Transform stages for one source: its rows, for the dataset the source feeds. */
export const normalizedDocumentSchema = z.discriminatedUnion('dataset', [
  z.object({ ...normalizedCommon, dataset: z.literal('top_tracks'), records: z.array(topTrackRecordSchema) }),
  z.object({
    ...normalizedCommon,
    dataset: z.literal('recently_played'),
    records: z.array(playRecordSchema),
  }),
]);
export type NormalizedDocument = z.infer<typeof normalizedDocumentSchema>;
