/** Listening time per UTC day and per artist per UTC month, from curated recently_played rows (pure). */
import type { PlayRecord } from '../../functions/datasets/recently-played';

/** What the listening charts need of a play; a curated recently_played row has all of it. */
export type ListenedPlay = Pick<PlayRecord, 'played_at' | 'artist_names' | 'ms_played' | 'duration_ms'>;

/**
 * Which column a play's listening time came from: `ms_played` (the streaming-history export says
 * how long you listened), `duration_ms` (the API says only that the track was played, so its length
 * is an upper bound), or neither (counted as 0).
 */
export type LengthRule = 'ms_played' | 'duration_ms' | 'unknown';

export interface ListeningDay {
  /** UTC date, YYYY-MM-DD. */
  readonly date: string;
  readonly ms: number;
  readonly plays: number;
}

export interface ArtistTime {
  readonly artist: string;
  readonly ms: number;
}

export interface ListeningMonth {
  /** UTC month, YYYY-MM. */
  readonly month: string;
  readonly ms: number;
  readonly plays: number;
  /** Most listened first (ties by name, so the order never depends on the input's). */
  readonly artists: ArtistTime[];
}

export interface ListeningCounts {
  readonly plays: number;
  /** Plays per rule: how much of the total is measured, and how much is an upper bound. */
  readonly byRule: Readonly<Record<LengthRule, number>>;
}

export interface Listening {
  /** Days with at least one play, oldest first. */
  readonly days: ListeningDay[];
  /** Every month from the first play's to the last play's, oldest first: a month without plays is 0. */
  readonly months: ListeningMonth[];
  readonly counts: ListeningCounts;
}

/** For a play whose `artist_names` is empty; parenthesized so that it cannot pass for a name. */
export const UNKNOWN_ARTIST = '(unknown artist)';

export function listenedMs(play: ListenedPlay): { ms: number; rule: LengthRule } {
  if (play.ms_played !== null) return { ms: play.ms_played, rule: 'ms_played' };
  if (play.duration_ms !== null) return { ms: play.duration_ms, rule: 'duration_ms' };
  return { ms: 0, rule: 'unknown' };
}

/**
 * The UTC day a play ended on, from the instant itself: Date#toISOString is UTC whatever the
 * machine's time zone, and Load derives `played_date` the same way.
 */
export function utcDayOf(play: Pick<PlayRecord, 'played_at'>): string {
  const time = Date.parse(play.played_at);
  if (Number.isNaN(time)) throw new Error(`played_at ${JSON.stringify(play.played_at)} is not an instant`);
  return new Date(time).toISOString().slice(0, 10);
}

/** The first credited artist: the API credits them in order, and the export names only the album's artist. */
export const artistOf = (play: Pick<PlayRecord, 'artist_names'>) => play.artist_names[0] ?? UNKNOWN_ARTIST;

/** Code-point order, not the locale's: the page must come out the same on every machine. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byTimeThenName = (a: ArtistTime, b: ArtistTime) => b.ms - a.ms || byName(a.artist, b.artist);

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Months since year 0: counting in numbers, not text, cannot run past the last month. */
function monthIndex(month: string): number {
  const match = MONTH.exec(month);
  if (!match) throw new Error(`${JSON.stringify(month)} is not a YYYY-MM month`);
  return Number(match[1]) * 12 + Number(match[2]) - 1;
}

/** Every YYYY-MM from `first` to `last`, both included. */
export function monthRange(first: string, last: string): string[] {
  const from = monthIndex(first);
  return Array.from({ length: Math.max(0, monthIndex(last) - from + 1) }, (_, offset) => {
    const index = from + offset;
    return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
  });
}

interface Tally {
  ms: number;
  plays: number;
}

const add = <K>(map: Map<K, Tally>, key: K, ms: number) => {
  const tally = map.get(key) ?? { ms: 0, plays: 0 };
  map.set(key, { ms: tally.ms + ms, plays: tally.plays + 1 });
};

export function buildListening(plays: readonly ListenedPlay[]): Listening {
  const days = new Map<string, Tally>();
  const artistsByMonth = new Map<string, Map<string, Tally>>();
  const byRule: Record<LengthRule, number> = { ms_played: 0, duration_ms: 0, unknown: 0 };
  for (const play of plays) {
    const { ms, rule } = listenedMs(play);
    const day = utcDayOf(play);
    byRule[rule] += 1;
    add(days, day, ms);
    const month = day.slice(0, 7);
    const artists = artistsByMonth.get(month) ?? new Map<string, Tally>();
    add(artists, artistOf(play), ms);
    artistsByMonth.set(month, artists);
  }
  const dates = [...days.keys()].sort();
  const first = dates[0];
  const last = dates.at(-1);
  return {
    days: dates.map((date) => ({ date, ms: days.get(date)?.ms ?? 0, plays: days.get(date)?.plays ?? 0 })),
    months:
      first === undefined || last === undefined
        ? []
        : monthRange(first.slice(0, 7), last.slice(0, 7)).map((month) =>
            monthOf(month, artistsByMonth.get(month)),
          ),
    counts: { plays: plays.length, byRule },
  };
}

function monthOf(month: string, artists: ReadonlyMap<string, Tally> = new Map()): ListeningMonth {
  const tallies = [...artists.values()];
  return {
    month,
    ms: tallies.reduce((sum, tally) => sum + tally.ms, 0),
    plays: tallies.reduce((sum, tally) => sum + tally.plays, 0),
    artists: [...artists].map(([artist, tally]) => ({ artist, ms: tally.ms })).sort(byTimeThenName),
  };
}

export interface ArtistSeries {
  readonly name: string;
  /** Listening time per month, aligned with `ArtistChart.months`. */
  readonly ms: number[];
  /** The "Other artists" series: everyone outside the top. */
  readonly other: boolean;
}

export interface ArtistChart {
  readonly months: string[];
  readonly series: ArtistSeries[];
}

export const OTHER_ARTISTS = 'Other artists';

/**
 * The `top` artists over the whole history, one series each, plus one "Other artists" series (only
 * when it holds any time). Top N overall rather than per month: each artist keeps one series, one
 * colour and one legend entry across every month, so a stacked bar shows how their share moves; a
 * per-month top would give the same colour to different artists in different months.
 */
export function topArtistsByMonth(months: readonly ListeningMonth[], top: number): ArtistChart {
  const totals = new Map<string, number>();
  for (const month of months)
    for (const { artist, ms } of month.artists) totals.set(artist, (totals.get(artist) ?? 0) + ms);
  const leaders = [...totals]
    .map(([artist, ms]) => ({ artist, ms }))
    // An artist with no time at all would be an empty series, not a leader.
    .filter((entry) => entry.ms > 0)
    .sort(byTimeThenName)
    .slice(0, top)
    .map((entry) => entry.artist);
  const series: ArtistSeries[] = leaders.map((name) => ({
    name,
    ms: months.map((month) => month.artists.find((entry) => entry.artist === name)?.ms ?? 0),
    other: false,
  }));
  const other = months.map(
    (month, index) => month.ms - series.reduce((sum, entry) => sum + (entry.ms[index] ?? 0), 0),
  );
  if (other.some((ms) => ms > 0)) series.push({ name: OTHER_ARTISTS, ms: other, other: true });
  return { months: months.map((month) => month.month), series };
}

/** Minutes to one decimal: what the page shows, and what the charts plot. */
export const minutes = (ms: number) => Math.round(ms / 6_000) / 10;
