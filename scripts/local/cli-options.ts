import { isSnapshotDate, utcDateOf } from '../../functions/commons/domain/snapshot-date';
import { isSourceRef, parseSourceRef, SOURCE_REFERENCE_HELP } from '../../functions/commons/domain/sources';
import { parseFlags, UsageError } from '../cli';
import { parseReplayRange } from './replay-range';

/** `npm run local`'s flags, checked before anything starts (a bad one is exit code 2). */
export interface CliOptions {
  snapshotDate?: string;
  replay?: { from: string; to: string };
  sources?: string[];
  reset: boolean;
  realTimings: boolean;
  verbose: boolean;
}

export function parseCli(argv: string[]): CliOptions | 'help' {
  const values = parseFlags(
    {
      date: { type: 'string' },
      source: { type: 'string', multiple: true },
      playlist: { type: 'string', multiple: true },
      replay: { type: 'string' },
      reset: { type: 'boolean', default: false },
      'real-timings': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    argv,
  );
  if (values.help) return 'help';
  const snapshotDate = values.date;
  if (snapshotDate !== undefined) {
    if (!isSnapshotDate(snapshotDate)) {
      throw new UsageError(
        `--date must be a calendar date written YYYY-MM-DD, e.g. 2026-01-31 (got "${snapshotDate}")`,
      );
    }
    if (snapshotDate > utcDateOf(new Date())) {
      throw new UsageError(
        `--date ${snapshotDate} is in the future; Spotify cannot tell what it will say then`,
      );
    }
  }
  const replay = values.replay === undefined ? undefined : parseReplayRange(values.replay);
  const references = [...(values.source ?? []), ...(values.playlist ?? []).map((id) => `playlist:${id}`)];
  const problems = references
    .map(parseSourceRef)
    .flatMap((parsed) => (isSourceRef(parsed) ? [] : [parsed.problem]));
  if (problems.length > 0) throw new UsageError(`${problems.join('; ')}. ${SOURCE_REFERENCE_HELP}`);
  if (replay && snapshotDate !== undefined) {
    throw new UsageError('--replay takes no --date: it rebuilds the dates it is given, FROM to TO');
  }
  if (replay && values.reset) {
    throw new UsageError('--replay with --reset would delete the raw archive that it replays from');
  }
  return {
    ...(snapshotDate ? { snapshotDate } : {}),
    ...(replay ? { replay } : {}),
    ...(references.length > 0 ? { sources: references } : {}),
    reset: values.reset,
    realTimings: values['real-timings'],
    verbose: values.verbose,
  };
}
