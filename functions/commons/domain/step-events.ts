import * as z from 'zod/mini';
import '../validation';
import { apiShapeSchema, skipCountsSchema } from './staging-documents';
import { runParametersSchema } from './run';

/** The (small) shapes that travel between states: keys, counts and the run's parameters. */
export const extractResultSchema = z.object({
  playlists: z.array(
    z.object({
      playlistId: z.string(),
      rawKey: z.string(),
      items: z.number(),
      apiShape: apiShapeSchema,
      resumed: z.boolean(),
    }),
  ),
  failed: z.array(z.object({ playlistId: z.string(), error: z.string(), cause: z.string() })),
  api: z.looseObject({ requests: z.number(), retries: z.number() }),
  durationMs: z.number(),
});

export const transformResultSchema = z.object({
  normalizedKey: z.string(),
  records: z.number(),
  itemsSeen: z.number(),
  skipped: skipCountsSchema,
  enrichmentUnavailable: z.array(z.string()),
  durationMs: z.number(),
});

export const transformEventSchema = z.object({ run: runParametersSchema, extract: extractResultSchema });
export const loadEventSchema = z.extend(transformEventSchema, { transform: transformResultSchema });

export type ExtractResult = z.infer<typeof extractResultSchema>;
export type TransformResult = z.infer<typeof transformResultSchema>;
export type LoadEvent = z.infer<typeof loadEventSchema>;
