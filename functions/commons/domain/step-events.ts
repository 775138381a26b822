import * as z from 'zod/mini';
import '../validation';
import { runParametersSchema, sourceRefSchema } from './run';
import { skipCountsSchema } from './staging-documents';

/** The (small) shapes that travel between states: keys, counts and the run's parameters. */
export const apiStatsSchema = z.looseObject({ requests: z.number(), retries: z.number() });

export const extractResultSchema = z.object({
  rawKey: z.string(),
  entries: z.number(),
  apiMode: z.string(),
  /** Staged by an earlier attempt of this execution and reused. */
  resumed: z.boolean(),
  api: apiStatsSchema,
  warnings: z.array(z.string()),
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

export const loadResultSchema = z.object({
  dataset: z.string(),
  rows: z.number(),
  keys: z.array(z.string()),
  latestUpdated: z.boolean(),
  durationMs: z.number(),
});

export const sourceEventSchema = z.object({
  run: runParametersSchema,
  source: sourceRefSchema,
  /** A replay iteration: rebuild the source's rows of this archived date from raw/. */
  replay: z.optional(z.nullable(z.object({ snapshotDate: z.string() }))),
});
export const extractEventSchema = sourceEventSchema;
export const transformEventSchema = z.extend(sourceEventSchema, { extract: extractResultSchema });
export const loadEventSchema = z.extend(transformEventSchema, { transform: transformResultSchema });

/** One Map iteration's outcome, as the state machine collects it for Finalize. */
export const sourceOutcomeSchema = z.union([
  z.object({
    status: z.literal('succeeded'),
    source: sourceRefSchema,
    extract: extractResultSchema,
    transform: transformResultSchema,
    load: loadResultSchema,
  }),
  z.object({
    status: z.literal('failed'),
    source: sourceRefSchema,
    error: z.object({ Error: z.string(), Cause: z.optional(z.string()) }),
  }),
]);
export const finalizeEventSchema = z.object({
  run: runParametersSchema,
  outcomes: z.array(sourceOutcomeSchema),
});

export type ExtractResult = z.infer<typeof extractResultSchema>;
export type TransformResult = z.infer<typeof transformResultSchema>;
export type LoadResult = z.infer<typeof loadResultSchema>;
export type LoadEvent = z.infer<typeof loadEventSchema>;
export type SourceOutcome = z.infer<typeof sourceOutcomeSchema>;
