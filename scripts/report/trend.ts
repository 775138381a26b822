/** Rank-over-time and movers for one source, from the curated rows of several dates (pure). */
export interface ChartRow {
  readonly snapshotDate: string;
  readonly source: string;
  readonly sourceName: string;
  readonly rank: number;
  readonly trackId: string;
  readonly trackName: string;
  readonly artistNames: string;
}

export interface TrackTrend {
  readonly trackId: string;
  readonly label: string;
  /** Rank per date (same order as `dates`); null when the track was not in the chart that day. */
  readonly ranks: (number | null)[];
}

export interface Mover {
  readonly label: string;
  readonly rank: number | null;
  readonly previousRank: number | null;
  /** Places gained (positive) or lost; null for new entries and drop-outs. */
  readonly change: number | null;
  readonly kind: 'new' | 'up' | 'down' | 'same' | 'dropped';
}

export interface Trend {
  readonly source: string;
  readonly sourceName: string;
  readonly dates: string[];
  readonly tracks: TrackTrend[];
  readonly movers: Mover[];
}

const labelOf = (row: ChartRow) => `${row.trackName} · ${row.artistNames.split('|').join(', ')}`;

/**
 * The `top` tracks of the newest date, with their ranks on every date, and how each entry of the
 * newest date moved since the date before (plus the tracks that dropped out).
 */
export function buildTrend(rows: readonly ChartRow[], source: string, top: number): Trend {
  const mine = rows.filter((row) => row.source === source);
  const dates = [...new Set(mine.map((row) => row.snapshotDate))].sort();
  const byDate = new Map(dates.map((date) => [date, new Map<string, ChartRow>()]));
  for (const row of mine) byDate.get(row.snapshotDate)?.set(row.trackId, row);

  const latestDate = dates.at(-1);
  const latest = [...(latestDate ? (byDate.get(latestDate)?.values() ?? []) : [])].sort(
    (a, b) => a.rank - b.rank,
  );
  const previousDate = dates.at(-2);
  const previous = previousDate ? (byDate.get(previousDate) ?? new Map<string, ChartRow>()) : undefined;

  const tracks = latest.slice(0, top).map((row) => ({
    trackId: row.trackId,
    label: labelOf(row),
    ranks: dates.map((date) => byDate.get(date)?.get(row.trackId)?.rank ?? null),
  }));

  const movers: Mover[] = latest.map((row) => {
    const before = previous?.get(row.trackId);
    if (!previous)
      return { label: labelOf(row), rank: row.rank, previousRank: null, change: null, kind: 'same' };
    if (!before)
      return { label: labelOf(row), rank: row.rank, previousRank: null, change: null, kind: 'new' };
    const change = before.rank - row.rank;
    return {
      label: labelOf(row),
      rank: row.rank,
      previousRank: before.rank,
      change,
      kind: change > 0 ? 'up' : change < 0 ? 'down' : 'same',
    };
  });
  const todayIds = new Set(latest.map((row) => row.trackId));
  for (const row of previous?.values() ?? []) {
    if (!todayIds.has(row.trackId)) {
      movers.push({ label: labelOf(row), rank: null, previousRank: row.rank, change: null, kind: 'dropped' });
    }
  }
  return {
    source,
    sourceName: latest[0]?.sourceName ?? mine[0]?.sourceName ?? source,
    dates,
    tracks,
    movers,
  };
}

/** The movers worth a table: entries, drop-outs and the biggest moves first. */
export function notableMovers(movers: readonly Mover[], limit: number): Mover[] {
  const weight = (mover: Mover) =>
    mover.kind === 'new'
      ? 1000 - (mover.rank ?? 0)
      : mover.kind === 'dropped'
        ? 500
        : Math.abs(mover.change ?? 0);
  return movers
    .filter((mover) => mover.kind !== 'same')
    .sort((a, b) => weight(b) - weight(a))
    .slice(0, limit);
}
