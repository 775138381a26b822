import { isSnapshotDate, utcDateOf } from '../../functions/commons/domain/snapshot-date';
import { UsageError } from '../cli';

import { MAX_REPLAY_DAYS } from '../../functions/commons/domain/run';

/** The longest range `--replay` accepts at once: the pipeline's own limit per replay execution. */
export { MAX_REPLAY_DAYS };

const DAY_MS = 86_400_000;

export interface ReplayRange {
  readonly from: string;
  readonly to: string;
}

/**
 * `--replay FROM[:TO]`: two calendar dates written YYYY-MM-DD, FROM <= TO, neither after today
 * (UTC), at most MAX_REPLAY_DAYS days counting both ends; TO defaults to FROM.
 */
export function parseReplayRange(value: string, today = utcDateOf(new Date())): ReplayRange {
  const [from = '', to = from, ...extra] = value.split(':');
  for (const date of [from, to]) {
    if (extra.length > 0 || !isSnapshotDate(date)) {
      throw new UsageError(
        `--replay takes FROM or FROM:TO, calendar dates written YYYY-MM-DD, e.g. 2026-01-01:2026-01-31 (got "${value}")`,
      );
    }
    if (date > today) {
      throw new UsageError(`--replay ${value}: ${date} is in the future (today is ${today}, UTC)`);
    }
  }
  if (from > to) throw new UsageError(`--replay ${value}: FROM (${from}) is after TO (${to})`);
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  if (days > MAX_REPLAY_DAYS) {
    throw new UsageError(
      `--replay ${value} covers ${days} days; replay at most ${MAX_REPLAY_DAYS} at a time`,
    );
  }
  return { from, to };
}
