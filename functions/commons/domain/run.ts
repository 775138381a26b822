import * as z from 'zod/mini';
import '../validation';
import { InvalidInputError } from '../errors';
import { isSnapshotDate, utcDateOf } from './snapshot-date';
import { INBOX_FOLDER_PATTERN, toRunId } from './keys';
import {
  isImported,
  isSourceRef,
  needsUser,
  parseSourceRef,
  SOURCE_REFERENCE_HELP,
  splitSourceList,
  STREAMING_HISTORY,
  uniqueSources,
  type SourceRef,
} from './sources';

export const sourceRefSchema = z.object({
  ref: z.string(),
  kind: z.enum(['playlist', 'top_tracks', 'recently_played', 'streaming_history']),
  slug: z.string(),
  dataset: z.enum(['top_tracks', 'recently_played']),
  scopes: z.array(z.string()),
  playlistId: z.optional(z.string()),
  timeRange: z.optional(z.enum(['short_term', 'medium_term', 'long_term'])),
});

/** The parameters of one execution, resolved once by Plan and carried (small) through the states. */
export const runParametersSchema = z.object({
  snapshotDate: z.string(),
  runId: z.string(),
  startedAt: z.string(),
});
export type RunParameters = z.infer<typeof runParametersSchema>;

export const MAX_SOURCES_PER_RUN = 100;

/** Execution input as documented: every field optional, nothing else accepted (typos fail loudly). */
export const executionInputSchema = z.strictObject({
  // The Step Functions console pre-fills new executions with a Comment: accepted and ignored.
  Comment: z.optional(z.string()),
  snapshotDate: z.optional(z.string()),
  sources: z.optional(z.union([z.array(z.string()), z.string()])),
  /** The 0.1 spelling, kept as an alias: each id is the source playlist:<id>. */
  playlistIds: z.optional(z.array(z.string())),
  /** Rebuild curated data for these dates from the raw archive, without calling Spotify. */
  replay: z.optional(z.strictObject({ from: z.string(), to: z.optional(z.string()) })),
  /** Import the streaming-history export files uploaded under this inbox/ folder. */
  import: z.optional(z.strictObject({ prefix: z.string(), includeIncognito: z.optional(z.boolean()) })),
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

export const INPUT_HINT =
  'Expected { "sources"?: ["playlist:<id>" | "me:top-tracks:short_term" | "me:recently-played", ...], ' +
  '"snapshotDate"?: "<today, UTC>", "replay"?: { "from": "YYYY-MM-DD", "to"?: "YYYY-MM-DD" }, ' +
  '"import"?: { "prefix": "inbox/<folder>/", "includeIncognito"?: false } }; every field is optional.';

/** Dates a replay rebuilds, inclusive. */
export interface ReplayRange {
  readonly from: string;
  readonly to: string;
}

/** A streaming-history import: the inbox folder its files were uploaded to. */
export interface ImportRequest {
  readonly prefix: string;
  /** Import plays made in a private session too (left out by default). */
  readonly includeIncognito: boolean;
}

export interface RunPlan {
  readonly run: RunParameters;
  readonly sources: SourceRef[];
  /** Present for a replay: which raw dates to rebuild (the sources then filter what is found). */
  readonly replay?: ReplayRange;
  /** Present for an import: the run's only source is the streaming history. */
  readonly import?: ImportRequest;
}

function importRequest(
  request: { prefix: string; includeIncognito?: boolean | undefined },
  others: { sources: boolean; replay: boolean },
): ImportRequest {
  if (others.sources || others.replay) {
    throw new InvalidInputError(
      `Invalid execution input: an import reads only the files under import.prefix; leave ${others.sources ? 'sources' : 'replay'} out.`,
    );
  }
  if (!INBOX_FOLDER_PATTERN.test(request.prefix)) {
    throw new InvalidInputError(
      `Invalid execution input: import.prefix "${request.prefix.slice(0, 120)}" is not an inbox folder: write it ` +
        'inbox/<name>/, the name made of letters, digits, ".", "_" and "-" (npm run import:history uploads there for you).',
    );
  }
  return { prefix: request.prefix, includeIncognito: request.includeIncognito ?? false };
}

/** A month per replay execution keeps the Map's results well inside Step Functions' 256 KB payload. */
export const MAX_REPLAY_DAYS = 31;

function replayRange(replay: { from: string; to?: string }, today: string): ReplayRange {
  const to = replay.to ?? replay.from;
  const problems: string[] = [];
  for (const [name, value] of [
    ['from', replay.from],
    ['to', to],
  ] as const) {
    if (!isSnapshotDate(value)) problems.push(`replay.${name} "${value}" is not a date written YYYY-MM-DD`);
    else if (value > today) problems.push(`replay.${name} ${value} is in the future`);
  }
  if (problems.length === 0 && replay.from > to)
    problems.push(`replay.from ${replay.from} is after replay.to ${to}`);
  const days = (Date.parse(to) - Date.parse(replay.from)) / 86_400_000 + 1;
  if (problems.length === 0 && days > MAX_REPLAY_DAYS) {
    problems.push(
      `a replay covers at most ${MAX_REPLAY_DAYS} days; split ${replay.from}..${to} into several`,
    );
  }
  if (problems.length > 0) throw new InvalidInputError(`Invalid execution input: ${problems.join('; ')}.`);
  return { from: replay.from, to };
}

export interface PlanDefaults {
  /** The `sources` stage parameter: used when the input names none. */
  readonly sources: readonly SourceRef[];
  readonly authMode: 'client_credentials' | 'user_token';
}

/** Parses references, reporting every bad one at once. */
export function parseSources(references: readonly string[], where: string): SourceRef[] {
  const parsed = references.map(parseSourceRef);
  const problems = parsed.flatMap((entry) => (isSourceRef(entry) ? [] : [entry.problem]));
  if (problems.length > 0) {
    // Step Functions keeps 32,768 characters of a cause: name the first few, count the rest.
    const shown = problems.slice(0, 10).join('; ');
    const more = problems.length > 10 ? `; and ${problems.length - 10} more` : '';
    throw new InvalidInputError(`Invalid ${where}: ${shown}${more}. ${SOURCE_REFERENCE_HELP}`);
  }
  return uniqueSources(parsed.filter(isSourceRef));
}

/**
 * Applies the documented rules: the run is labelled with the UTC date its execution started (a run
 * asks Spotify for what it says now, so any other date would mislabel it), the sources are the
 * input's or the configured ones, and sources that read the user's data need a user token.
 */
export function planRun(event: unknown, defaults: PlanDefaults): RunPlan {
  const { input, execution } = parseOrThrow(stepEventSchema, event, 'Plan event', INPUT_HINT);
  const parsed = parseOrThrow(executionInputSchema, input ?? {}, 'execution input', INPUT_HINT);
  const startedAt = new Date(execution.startTime);
  if (Number.isNaN(startedAt.getTime())) {
    throw new InvalidInputError(`Invalid execution start time "${execution.startTime}".`);
  }
  const today = utcDateOf(startedAt);
  if (parsed.replay && parsed.snapshotDate !== undefined) {
    throw new InvalidInputError(
      'Invalid execution input: a replay takes its dates from replay.from and replay.to; leave snapshotDate out.',
    );
  }
  if (parsed.snapshotDate !== undefined && parsed.snapshotDate !== today) {
    throw new InvalidInputError(
      `Invalid execution input: snapshotDate "${parsed.snapshotDate}" is not the execution's own UTC date (${today}). ` +
        'Spotify only tells what it says now, so a run is always labelled with the day it ran; leave snapshotDate ' +
        'out (or give today). To rebuild past dates from the raw archive, use a replay (see README).',
    );
  }
  const references =
    parsed.sources === undefined
      ? undefined
      : typeof parsed.sources === 'string'
        ? splitSourceList(parsed.sources)
        : parsed.sources;
  const fromInput = [
    ...(references ? parseSources(references, 'execution input "sources"') : []),
    ...(parsed.playlistIds ? parseSources(parsed.playlistIds, 'execution input "playlistIds"') : []),
  ];
  const explicit = fromInput.length > 0 || references !== undefined || parsed.playlistIds !== undefined;
  const replay = parsed.replay ? replayRange(parsed.replay, today) : undefined;
  const run = { snapshotDate: today, runId: toRunId(execution.name), startedAt: startedAt.toISOString() };
  if (parsed.import) {
    const request = importRequest(parsed.import, { sources: explicit, replay: replay !== undefined });
    return { run, sources: [STREAMING_HISTORY], import: request };
  }
  // A replay without sources rebuilds every source the archive holds for its dates.
  if (replay && !explicit) return { run, sources: [], replay };
  const sources = uniqueSources(explicit ? fromInput : defaults.sources);
  if (sources.length === 0) {
    throw new InvalidInputError(`Invalid execution input: no sources to run. ${SOURCE_REFERENCE_HELP}`);
  }
  if (sources.length > MAX_SOURCES_PER_RUN) {
    throw new InvalidInputError(
      `Invalid execution input: ${sources.length} sources, more than ${MAX_SOURCES_PER_RUN} per execution.`,
    );
  }
  const imported = sources.filter(isImported);
  if (!replay && imported.length > 0) {
    throw new InvalidInputError(
      `${imported.map((source) => source.ref).join(', ')} is imported from the files Spotify sends you, not fetched: ` +
        'run `npm run import:history -- <the export>` (or upload the files to inbox/<name>/ and start an execution ' +
        'with {"import": {"prefix": "inbox/<name>/"}}).',
    );
  }
  const userOnly = sources.filter(needsUser);
  // A replay reads only the archive: any source may be rebuilt, whatever the credentials.
  if (!replay && defaults.authMode === 'client_credentials' && userOnly.length > 0) {
    throw new InvalidInputError(
      `${userOnly.map((source) => source.ref).join(', ')} read the user's own data, which an app token (client ` +
        'credentials) cannot: it has no user. Run `npm run spotify:authorize` and deploy with ' +
        '--param="spotifyAuthMode=user_token" (locally: set SPOTIFY_REFRESH_TOKEN).',
    );
  }
  return { run, sources, ...(replay ? { replay } : {}) };
}
