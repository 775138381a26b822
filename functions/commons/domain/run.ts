import * as z from 'zod/mini';
import '../validation';
import { PLAYLIST_ID_PATTERN } from '../config';
import { InvalidInputError } from '../errors';
import { isSnapshotDate, utcDateOf } from './snapshot-date';
import { toRunId } from './keys';

/** The parameters of one execution, resolved once by Extract and carried (small) through the states. */
export const runParametersSchema = z.object({
  snapshotDate: z.string(),
  runId: z.string(),
  playlistIds: z.array(z.string()).check(z.minLength(1)),
  startedAt: z.string(),
});
export type RunParameters = z.infer<typeof runParametersSchema>;

/** Execution input as documented: both fields optional, nothing else accepted (typos fail loudly). */
export const executionInputSchema = z.strictObject({
  // The Step Functions console pre-fills new executions with a Comment: accepted and ignored.
  Comment: z.optional(z.string()),
  snapshotDate: z.optional(
    z
      .string()
      .check(
        z.refine(isSnapshotDate, { error: 'must be a calendar date written YYYY-MM-DD, e.g. "2026-01-31"' }),
      ),
  ),
  playlistIds: z.optional(
    z
      .array(
        z.string().check(z.regex(PLAYLIST_ID_PATTERN, { error: 'must be a Spotify playlist id (base-62)' })),
      )
      .check(
        z.minLength(1, { error: 'must list at least one playlist id' }),
        z.maxLength(100, { error: 'must list at most 100 playlists per execution' }),
      ),
  ),
});

export const stepEventSchema = z.object({
  input: z.unknown(),
  execution: z.object({
    name: z.string().check(z.minLength(1)),
    startTime: z.string().check(z.minLength(1)),
  }),
});

function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'input'}: ${issue.message}`)
    .join('; ');
}

/** Validates external JSON against a schema and turns a mismatch into a readable InvalidInputError. */
export function parseOrThrow<T>(schema: z.ZodMiniType<T>, value: unknown, what: string, hint: string): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new InvalidInputError(`Invalid ${what}: ${describeIssues(result.error)}. ${hint}`);
  return result.data;
}

const INPUT_HINT =
  'Expected { "snapshotDate"?: "YYYY-MM-DD", "playlistIds"?: ["<playlist id>", ...] }; both are optional.';

/** Applies the documented defaults: today's UTC date (of the execution start) and the configured playlists. */
export function resolveRun(event: unknown, defaultPlaylistIds: readonly string[]): RunParameters {
  const { input, execution } = parseOrThrow(stepEventSchema, event, 'Extract event', INPUT_HINT);
  const parsed = parseOrThrow(executionInputSchema, input ?? {}, 'execution input', INPUT_HINT);
  const startedAt = new Date(execution.startTime);
  if (Number.isNaN(startedAt.getTime())) {
    throw new InvalidInputError(`Invalid execution start time "${execution.startTime}".`);
  }
  return {
    snapshotDate: parsed.snapshotDate ?? utcDateOf(startedAt),
    runId: toRunId(execution.name),
    playlistIds: [...new Set(parsed.playlistIds ?? defaultPlaylistIds)],
    startedAt: startedAt.toISOString(),
  };
}
