import { renderCsv } from '../../functions/datasets/csv';
import { RECENTLY_PLAYED, type PlayRecord } from '../../functions/datasets/recently-played';
import {
  buildListening,
  listenedMs,
  minutes,
  monthRange,
  OTHER_ARTISTS,
  topArtistsByMonth,
  UNKNOWN_ARTIST,
  utcDayOf,
} from '../../scripts/report/listening';
import { parsePlaysCsv, PIPELINE_CSV } from '../../scripts/report/read-curated';
import { colourScaleMax } from '../../scripts/report/render-listening';
import { playRecord } from '../helpers/fixtures';

/** A row as the API reports it; every field the listening charts read is spelled out by each case. */
const apiPlay = (playedAt: string, artists: string[], durationMs: number | null): PlayRecord =>
  playRecord({
    played_at: playedAt,
    played_date: playedAt.slice(0, 10),
    track_id: `track-${playedAt}`,
    artist_names: artists,
    artist_ids: artists.map((_, index) => `artist${index}`),
    duration_ms: durationMs,
    source: 'api',
    ms_played: null,
  });

/** A row from the streaming-history export: the album's artist only, no id, no duration. */
const exportPlay = (playedAt: string, artist: string, msPlayed: number): PlayRecord =>
  playRecord({
    ...apiPlay(playedAt, [artist], null),
    artist_ids: [null],
    album_id: null,
    source: 'export',
    ms_played: msPlayed,
    reason_start: 'trackdone',
    reason_end: 'endplay',
    platform: 'android',
  });

/** An export row Load merged with the API's report of the same play: both lengths, all artists. */
const mergedPlay = (
  playedAt: string,
  artists: string[],
  msPlayed: number,
  durationMs: number,
): PlayRecord => ({
  ...exportPlay(playedAt, artists[0] ?? '', msPlayed),
  artist_names: artists,
  artist_ids: artists.map((_, index) => `artist${index}`),
  album_id: 'album1',
  duration_ms: durationMs,
});

/** The plays through a real day file: written as Load writes it, read back as the report reads it. */
function throughCsv(plays: readonly PlayRecord[]): PlayRecord[] {
  const csv = renderCsv(RECENTLY_PLAYED, plays, PIPELINE_CSV);
  return parsePlaysCsv(csv, 'plays.csv');
}

const LAST_MS_OF_2025 = apiPlay('2025-12-31T23:59:59.999Z', ['Alpha', 'Beta'], 200_000);
const FIRST_MS_OF_2026 = exportPlay('2026-01-01T00:00:00.000Z', 'Gamma', 90_000);
const MERGED = mergedPlay('2026-01-01T08:00:00.000Z', ['Alpha', 'Delta'], 30_000, 240_000);
const NO_LENGTH = apiPlay('2026-01-01T09:00:00.000Z', ['Beta'], null);
const SKIPPED_AT_ONCE = exportPlay('2026-01-01T10:00:00.000Z', 'Gamma', 0);
const FORMULA_ARTIST = apiPlay('2026-03-02T12:00:00.000Z', ['=SUM'], 60_000);
const NO_ARTIST = apiPlay('2026-03-02T13:00:00.000Z', [], 15_000);
const PLAYS = [
  LAST_MS_OF_2025,
  FIRST_MS_OF_2026,
  MERGED,
  NO_LENGTH,
  SKIPPED_AT_ONCE,
  FORMULA_ARTIST,
  NO_ARTIST,
];

describe('listenedMs', () => {
  it('takes ms_played when the row has it, even a merged row that also knows the length', () => {
    expect(listenedMs(FIRST_MS_OF_2026)).toEqual({ ms: 90_000, rule: 'ms_played' });
    expect(listenedMs(MERGED)).toEqual({ ms: 30_000, rule: 'ms_played' });
    expect(listenedMs(SKIPPED_AT_ONCE)).toEqual({ ms: 0, rule: 'ms_played' });
  });

  it("takes the track's length for an API row, and 0 of unknown length when there is neither", () => {
    expect(listenedMs(LAST_MS_OF_2025)).toEqual({ ms: 200_000, rule: 'duration_ms' });
    expect(listenedMs(NO_LENGTH)).toEqual({ ms: 0, rule: 'unknown' });
  });
});

describe('utcDayOf', () => {
  it('puts the last millisecond of a UTC day on that day and the next millisecond on the next', () => {
    expect(utcDayOf(LAST_MS_OF_2025)).toBe('2025-12-31');
    expect(utcDayOf(FIRST_MS_OF_2026)).toBe('2026-01-01');
  });

  it('reads an offset time stamp as the UTC instant it is', () => {
    expect(utcDayOf({ played_at: '2026-01-01T01:30:00+02:00' })).toBe('2025-12-31');
  });
});

describe('monthRange', () => {
  it('lists every month across a year boundary', () => {
    expect(monthRange('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(monthRange('2026-03', '2026-03')).toEqual(['2026-03']);
  });

  it('refuses what is not a month rather than guess', () => {
    expect(() => monthRange('2026-13', '2027-01')).toThrow('"2026-13" is not a YYYY-MM month');
  });
});

describe('buildListening', () => {
  const plays = throughCsv(PLAYS);

  it('reads back the artist the pipeline neutralized as a formula', () => {
    const csv = renderCsv(RECENTLY_PLAYED, [FORMULA_ARTIST], PIPELINE_CSV);
    expect(csv).toContain(",'=SUM,");
    expect(plays.map((play) => play.artist_names[0])).toContain('=SUM');
  });

  it('sums the minutes of each UTC day', () => {
    expect(buildListening(plays).days).toEqual([
      { date: '2025-12-31', ms: 200_000, plays: 1 },
      // 90 000 (export) + 30 000 (merged: ms_played, not the 240 000 length) + 0 + 0
      { date: '2026-01-01', ms: 120_000, plays: 4 },
      { date: '2026-03-02', ms: 75_000, plays: 2 },
    ]);
  });

  it('counts how many plays each rule measured', () => {
    expect(buildListening(plays).counts).toEqual({
      plays: 7,
      byRule: { ms_played: 3, duration_ms: 3, unknown: 1 },
    });
  });

  it('gives every month from the first play to the last its artists, by the first credited one', () => {
    expect(buildListening(plays).months).toEqual([
      { month: '2025-12', ms: 200_000, plays: 1, artists: [{ artist: 'Alpha', ms: 200_000 }] },
      {
        month: '2026-01',
        ms: 120_000,
        plays: 4,
        artists: [
          { artist: 'Gamma', ms: 90_000 },
          { artist: 'Alpha', ms: 30_000 },
          { artist: 'Beta', ms: 0 },
        ],
      },
      { month: '2026-02', ms: 0, plays: 0, artists: [] },
      {
        month: '2026-03',
        ms: 75_000,
        plays: 2,
        artists: [
          { artist: '=SUM', ms: 60_000 },
          { artist: UNKNOWN_ARTIST, ms: 15_000 },
        ],
      },
    ]);
  });

  it('does not depend on the order of the plays', () => {
    expect(buildListening([...plays].reverse())).toEqual(buildListening(plays));
  });

  it('has nothing to chart without plays', () => {
    expect(buildListening([])).toEqual({
      days: [],
      months: [],
      counts: { plays: 0, byRule: { ms_played: 0, duration_ms: 0, unknown: 0 } },
    });
  });
});

describe('topArtistsByMonth', () => {
  const { months } = buildListening(throughCsv(PLAYS));

  it('charts the top artists over the whole history and puts everyone else in "Other artists"', () => {
    // Totals: Alpha 230 000, Gamma 90 000, =SUM 60 000, unknown 15 000, Beta 0.
    expect(topArtistsByMonth(months, 2)).toEqual({
      months: ['2025-12', '2026-01', '2026-02', '2026-03'],
      series: [
        { name: 'Alpha', ms: [200_000, 30_000, 0, 0], other: false },
        { name: 'Gamma', ms: [0, 90_000, 0, 0], other: false },
        { name: OTHER_ARTISTS, ms: [0, 0, 0, 75_000], other: true },
      ],
    });
  });

  it('leaves out "Other artists" when the top holds every minute, and artists with none', () => {
    expect(topArtistsByMonth(months, 10).series.map((series) => series.name)).toEqual([
      'Alpha',
      'Gamma',
      '=SUM',
      UNKNOWN_ARTIST,
    ]);
  });

  it('breaks a tie by name, whatever order the plays came in', () => {
    const tied = [
      apiPlay('2026-05-01T10:00:00.000Z', ['Zed'], 1000),
      apiPlay('2026-05-02T10:00:00.000Z', ['Abe'], 1000),
    ];
    const names = (plays: PlayRecord[]) =>
      topArtistsByMonth(buildListening(plays).months, 1).series.map((series) => series.name);
    expect(names(tied)).toEqual(['Abe', OTHER_ARTISTS]);
    expect(names([...tied].reverse())).toEqual(['Abe', OTHER_ARTISTS]);
  });
});

describe('parsePlaysCsv', () => {
  it('gives back exactly the text the pipeline was given, quotes, backslashes and formulas included', () => {
    const names = ["'Til Tuesday", '+44', '@home', 'AC\\DC', 'Earth, Wind & Fire', 'Say "hi"'];
    const plays = names.map((name, index) => apiPlay(`2026-01-0${index + 1}T10:00:00.000Z`, [name], 1000));
    // Athena's escape character is U+0001 (never written), so a backslash is an ordinary character.
    expect(throughCsv(plays).map((play) => play.artist_names[0])).toEqual(names);
  });

  it('names the file and the row it cannot read', () => {
    const csv = renderCsv(RECENTLY_PLAYED, [FORMULA_ARTIST], PIPELINE_CSV).replace(',api,', ',radio,');
    expect(() => parsePlaysCsv(csv, 'curated/recently_played/played_date=2026-03-02/plays.csv')).toThrow(
      /played_date=2026-03-02\/plays\.csv is not a recently_played file: row 1:/,
    );
    const noInstant = renderCsv(
      RECENTLY_PLAYED,
      [{ ...FORMULA_ARTIST, played_at: 'yesterday' }],
      PIPELINE_CSV,
    );
    expect(() => parsePlaysCsv(noInstant, 'plays.csv')).toThrow(
      'plays.csv is not a recently_played file: row 1: played_at "yesterday" is not an instant',
    );
    expect(() => parsePlaysCsv('played_at,track_id\r\n', 'old.csv')).toThrow(
      /old\.csv is not a recently_played file: the header is/,
    );
  });
});

describe('minutes', () => {
  it('rounds to a tenth of a minute', () => {
    expect([minutes(0), minutes(60_000), minutes(200_000), minutes(2_970)]).toEqual([0, 1, 3.3, 0]);
  });
});

describe('colourScaleMax', () => {
  it("tops the heatmap's scale at the 95th percentile, so that one long day does not pale the rest", () => {
    // 20 days: the nearest rank of the 95th percentile is the 19th smallest.
    expect(colourScaleMax([...Array.from({ length: 19 }, () => 10), 600])).toBe(10);
    expect(colourScaleMax([3, 3, 5, 4.5])).toBe(5);
    expect(colourScaleMax([0, 0.2])).toBe(1);
  });
});
