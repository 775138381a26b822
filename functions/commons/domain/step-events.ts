import * as z from 'zod/mini';
import '../validation';
import { runParametersSchema, sourceRefSchema } from './run';
import { correctionCountsSchema, skipCountsSchema } from './staging-documents';

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
  corrected: correctionCountsSchema,
  enrichmentUnavailable: z.array(z.string()),
  durationMs: z.number(),
});

export const playStatsSchema = z.object({
  added: z.number(),
  mergedWithApi: z.number(),
  alreadyPresent: z.number(),
});

export const loadResultSchema = z.object({
  dataset: z.string(),
  rows: z.number(),
  /** The first keys written (all of them for a ranked source); `keysTotal` counts them all. */
  keys: z.array(z.string()),
  keysTotal: z.optional(z.number()),
  latestUpdated: z.boolean(),
  /** recently_played: what the plays changed in the curated days. */
  plays: z.optional(playStatsSchema),
  durationMs: z.number(),
});

export const sourceEventSchema = z.object({
  run: runParametersSchema,
  source: sourceRefSchema,
  /**
   * A replay iteration: rebuild the source's rows of this archived date from raw/ (only from
   * `rawKey` when given: one imported file per iteration).
   */
  replay: z.optional(z.nullable(z.object({ snapshotDate: z.string(), rawKey: z.optional(z.string()) }))),
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
/** An import's plan, as Plan returned it: the inbox folder and its files. */
export const importPlanSchema = z.object({
  prefix: z.string(),
  includeIncognito: z.boolean(),
  files: z.array(z.object({ key: z.string(), name: z.string(), bytes: z.number() })),
  ignored: z.array(z.string()),
});

export const finalizeEventSchema = z.object({
  run: runParametersSchema,
  outcomes: z.array(sourceOutcomeSchema),
  import: z.optional(z.nullable(importPlanSchema)),
});

export type ExtractResult = z.infer<typeof extractResultSchema>;
export type TransformResult = z.infer<typeof transformResultSchema>;
export type LoadResult = z.infer<typeof loadResultSchema>;
export type LoadEvent = z.infer<typeof loadEventSchema>;
export type SourceOutcome = z.infer<typeof sourceOutcomeSchema>;
export type ImportPlanEvent = z.infer<typeof importPlanSchema>;
