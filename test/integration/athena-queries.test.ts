import { readFileSync } from 'node:fs';
import path from 'node:path';
import { keys, PREFIXES } from '../../functions/commons/domain/keys';
import { utcDateOf } from '../../functions/commons/domain/snapshot-date';
import type { ColumnType, DatasetSpec } from '../../functions/datasets/columns';
import { RECENTLY_PLAYED } from '../../functions/datasets/recently-played';
import { TOP_TRACKS } from '../../functions/datasets/top-tracks';
import { PROJECT_ROOT } from '../../scripts/local/project-files';
import { publishedFiles } from '../helpers/bucket-snapshot';
import { parseCsv } from '../helpers/csv';
import { uploadPrepared } from '../helpers/inbox';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';
import {
  openSqlEngine,
  sqlEngineInstalled,
  sqlEngineTest,
  type SqlEngine,
  type SqlRow,
} from '../helpers/sql-engine';
import { sampleExport } from '../spotify-stand-in/sample-export';
import type { ListeningOptions } from '../spotify-stand-in/sample-data';

/**
 * The README's Athena queries, taken from the README as they are and run by a real SQL engine
 * (DuckDB) over the curated files a whole history of local executions wrote: days with gaps, no run
 * yet today, an imported export, and hostile names (`AC|DC`, backslashes, quotes, a formula). Each
 * answer is checked against the same question answered in plain code over the rows as Athena's
 * OpenCSVSerDe reads them (test/helpers/csv.ts), so a query that is wrong, or a file Athena would
 * read differently from what was written, fails here.
 *
 * DuckDB reads the files as the Glue tables do: quote `"` doubled inside quotes, no escape
 * character, an empty number NULL (`use.null.for.invalid.data`) and an empty text '' (OpenCSVSerDe
 * never yields NULL for text), the partition key from the path. Two Trino functions DuckDB spells
 * differently are defined as macros; nothing in the queries is rewritten. DuckDB divides and rounds
 * in double precision where Athena uses decimals, so the expected minutes and percentages below are
 * computed the way DuckDB computes them; rows, groups and order are what this test is about.
 */
const test = sqlEngineTest("the README's Athena queries over the curated files (DuckDB)");

const DAY_MS = 86_400_000;
const TODAY = utcDateOf(new Date());
const daysBefore = (date: string, days: number) =>
  utcDateOf(new Date(Date.parse(`${date}T00:00:00.000Z`) - days * DAY_MS));
const daysAgo = (days: number) => daysBefore(TODAY, days);

/** The days a daily run happened: none 3 days ago (a gap) and none yet today (before the day's run). */
const RUN_DAYS_AGO = [45, 20, 5, 4, 2, 1];
const HOSTILE_DAYS_AGO = 2;
const SOURCES = ['me:top-tracks:short_term', 'me:recently-played'];
const LISTENING: ListeningOptions = {
  startAt: new Date(`${daysAgo(46)}T00:00:00.000Z`),
  everyMinutes: 45,
  playlistContextId: 'ownPlaylist00000000000',
  extraPlays: [],
};

const HOSTILE_TRACK_NAME = '=Highway \\ to "Hell", live ¯\\_(ツ)_/¯';
const ACDC = {
  external_urls: { spotify: 'https://open.spotify.com/artist/acdc000000000000000000' },
  href: 'https://api.spotify.com/v1/artists/acdc000000000000000000',
  id: 'acdc000000000000000000',
  name: 'AC|DC',
  type: 'artist',
  uri: 'spotify:artist:acdc000000000000000000',
};
/** A simplified artist without an id: valid in Spotify's OpenAPI definition. */
const WITHOUT_ID = { external_urls: {}, name: 'Back\\slash Trio', type: 'artist' };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A page of top tracks or plays with AC|DC credited first on every track, and the first track
 * renamed and credited to an artist without an id too.
 */
function withHostileNames(answer: unknown): unknown {
  if (!isRecord(answer) || !Array.isArray(answer.items)) throw new Error('expected a page of items');
  const hostile = (track: Record<string, unknown>, index: number) => {
    const credited: unknown[] = Array.isArray(track.artists) ? track.artists : [];
    return {
      ...track,
      ...(index === 0 ? { name: HOSTILE_TRACK_NAME } : {}),
      artists: [ACDC, ...(index === 0 ? [WITHOUT_ID] : []), ...credited],
    };
  };
  const items: unknown[] = answer.items;
  return {
    ...answer,
    items: items.map((item, index) => {
      if (!isRecord(item)) return item;
      return isRecord(item.track) ? { ...item, track: hostile(item.track, index) } : hostile(item, index);
    }),
  };
}

const DUCKDB_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
};

/** A view with the Glue table's columns over a dataset's curated files, read as OpenCSVSerDe reads them. */
function tableSql(schema: string, dataset: DatasetSpec, bucketDir: string, prefix: string): string {
  const key = dataset.partitionKey;
  // The file repeats the partition key as its last column; the table takes it from the path.
  const inFile = `${key}_in_file`;
  const columns = dataset.columns
    .map((column) => `'${column.name === key ? inFile : column.name}': '${DUCKDB_TYPES[column.type]}'`)
    .join(', ');
  // OpenCSVSerDe reads an empty text cell as '', never NULL. (DuckDB's force_not_null would say
  // so too, but mixes up columns when a query reads only some of them from several files.)
  const selected = dataset.columns.map((column) =>
    column.name === key
      ? key
      : column.type === 'string'
        ? `coalesce(${column.name}, '') AS ${column.name}`
        : column.name,
  );
  const files = path.join(bucketDir, ...prefix.split('/'), '*', '*.csv');
  return `CREATE VIEW ${schema}.${dataset.name} AS SELECT ${selected.join(', ')} FROM read_csv('${files}',
    header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = {${columns}},
    hive_partitioning = true, hive_types = {'${key}': 'DATE'})`;
}

/** Trino functions the README uses that DuckDB has under other names. */
const TRINO_MACROS = [
  'CREATE MACRO element_at(elements, i) AS list_extract(elements, i)',
  'CREATE MACRO from_iso8601_timestamp(iso) AS CAST(iso AS TIMESTAMPTZ)',
];

interface ReadmeQuery {
  readonly title: string;
  readonly sql: string;
}

/** Every statement of every ```sql block in the README, named by its leading `--` comment. */
function readmeQueries(): ReadmeQuery[] {
  const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```sql\n([\s\S]*?)```/g)].flatMap((block) =>
    (block[1] ?? '')
      .split(/;\s*(?:\n|$)/)
      .map((statement) => statement.trim())
      .filter((statement) => statement !== '')
      .map((sql) => ({ sql, title: /^-- (.*)$/m.exec(sql)?.[1]?.trim() ?? sql.slice(0, 60) })),
  );
}

// ---- the rows as Athena reads them -------------------------------------------------------------

type Cell = string | number | boolean | null;
type Row = Record<string, Cell>;

/** A row of text cells as the table types it: an empty cell that is not text is NULL. */
function typed(dataset: DatasetSpec, cells: Record<string, string>): Row {
  return Object.fromEntries(
    dataset.columns.map((column): [string, Cell] => {
      const text = cells[column.name] ?? '';
      const isText = column.type === 'string' || column.type === 'date';
      return [column.name, cellOf(column.type, text === '' && !isText ? null : text)];
    }),
  );
}

function rowsOf(files: Record<string, string>, dataset: DatasetSpec, prefix: string): Row[] {
  return Object.entries(files)
    .filter(([key]) => key.startsWith(prefix))
    .flatMap(([key, text]) => {
      const rows = parseCsv(text).rows.map((cells) => typed(dataset, cells));
      const partition = new RegExp(`/${dataset.partitionKey}=([0-9-]+)/`).exec(key)?.[1];
      // What the table reads from the path is what the file says.
      for (const row of rows) expect(row[dataset.partitionKey]).toBe(partition);
      return rows;
    });
}

/** A cell in one form whichever side read it (DuckDB renders BIGINT and DECIMAL as text). */
function cellOf(type: ColumnType, value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (type === 'int' || type === 'bigint' || type === 'double') return Number(value);
  if (type === 'boolean') return value === true || value === 'true';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const text = (value: Cell | undefined): string => (typeof value === 'string' ? value : '');
const num = (value: Cell | undefined): number | null => (typeof value === 'number' ? value : null);
const roundTo = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
}

type SortKey = (string | number)[];
const compareKeys = (a: SortKey, b: SortKey): number => {
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const [x, y] = [a[index] ?? '', b[index] ?? ''];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

/** The engine's row in the expected row's types. */
function like(expected: Row, actual: SqlRow): Row {
  const typeOf = (want: Cell): ColumnType =>
    typeof want === 'number' ? 'double' : typeof want === 'boolean' ? 'boolean' : 'string';
  return Object.fromEntries(
    Object.entries(expected).map(([name, want]): [string, Cell] => [
      name,
      cellOf(typeOf(want), actual[name]),
    ]),
  );
}

/**
 * The answer has the expected rows (all of them, or the first `limit` by `order`), in that order;
 * where rows tie on the order, any of the tied rows may come first, as in SQL.
 */
function expectAnswer(actual: SqlRow[], expected: Row[], order: (row: Row) => SortKey, limit?: number) {
  const sorted = [...expected].sort((a, b) => compareKeys(order(a), order(b)));
  const wanted = limit === undefined ? sorted : sorted.slice(0, limit);
  expect(wanted.length).toBeGreaterThan(0);
  const [first] = expected;
  const got = actual.map((row) => like(first ?? {}, row));
  expect(got.map(order)).toEqual(wanted.map(order));
  for (const row of got) expect(expected).toContainEqual(row);
  expect(new Set(got.map((row) => JSON.stringify(row))).size).toBe(got.length);
}

// ---- the questions, answered in code -------------------------------------------------------------

interface Expectation {
  /** `today` is the engine's current_date while it answered. */
  readonly check: (answer: SqlRow[], data: { tracks: Row[]; plays: Row[] }, today: string) => void;
}

const minutesOf = (plays: readonly Row[]) =>
  plays.reduce((sum, play) => sum + (num(play.ms_played) ?? num(play.duration_ms) ?? 0), 0);

const EXPECTATIONS: Record<string, Expectation> = {
  'Your short-term top tracks over the last 30 days: rank per day': {
    check: (answer, { tracks }, today) => {
      const rows = tracks
        .filter(
          (row) =>
            row.source === 'me:top-tracks:short_term' && text(row.snapshot_date) >= daysBefore(today, 30),
        )
        .map((row) => ({
          snapshot_date: row.snapshot_date ?? '',
          rank: row.rank ?? null,
          track_name: row.track_name ?? '',
          artist_names: row.artist_names ?? '',
        }));
      expect(new Set(rows.map((row) => row.snapshot_date)).size).toBe(
        RUN_DAYS_AGO.filter((d) => d <= 30).length,
      );
      expectAnswer(answer, rows, (row) => [text(row.snapshot_date), num(row.rank) ?? 0]);
    },
  },
  'Days in your top tracks per track, with its best rank': {
    check: (answer, { tracks }) => {
      const shortTerm = tracks.filter((row) => row.source === 'me:top-tracks:short_term');
      const rows = groupBy(shortTerm, (row) =>
        JSON.stringify([row.track_id, row.track_name, row.artist_names]),
      ).map((group) => ({
        track_name: group[0]?.track_name ?? '',
        artist_names: group[0]?.artist_names ?? '',
        days: new Set(group.map((row) => row.snapshot_date)).size,
        best_rank: Math.min(...group.map((row) => num(row.rank) ?? Infinity)),
      }));
      expectAnswer(answer, rows, (row) => [-(num(row.days) ?? 0), num(row.best_rank) ?? 0], 20);
    },
  },
  "Minutes listened per day (API plays carry the track's length; exported plays their ms_played)": {
    check: (answer, { plays }) => {
      const rows = groupBy(plays, (play) => text(play.played_date)).map((group) => ({
        played_date: group[0]?.played_date ?? '',
        minutes: Math.round(minutesOf(group) / 60000),
        plays: group.length,
      }));
      expectAnswer(answer, rows, (row) => [text(row.played_date)]);
    },
  },
  'Top artists by listening time over the last 90 days (every credited artist counts)': {
    check: (answer, { plays }, today) => {
      const credits = plays
        .filter((play) => text(play.played_date) >= daysBefore(today, 90))
        .flatMap((play) =>
          text(play.artist_names)
            .split('|')
            .map((artist) => ({ artist, play })),
        );
      const rows = groupBy(credits, (credit) => credit.artist).map((group) => ({
        artist: group[0]?.artist ?? '',
        minutes: Math.round(minutesOf(group.map((credit) => credit.play)) / 60000),
        plays: group.length,
      }));
      expectAnswer(answer, rows, (row) => [-(num(row.minutes) ?? 0)], 20);
      // One artist, one name: AC|DC is not split in two, and is credited on the hostile day's plays.
      expect(answer.map((row) => row.artist)).toContain('AC¦DC');
      expect(answer.map((row) => row.artist)).not.toContain('AC');
    },
  },
  'First and last play of every track': {
    check: (answer, { plays }) => {
      const rows = groupBy(plays, (play) =>
        JSON.stringify([play.track_id, play.track_name, play.artist_names]),
      ).map((group) => {
        const times = group.map((play) => text(play.played_at)).sort();
        return {
          track_id: group[0]?.track_id ?? '',
          track_name: group[0]?.track_name ?? '',
          artist_names: group[0]?.artist_names ?? '',
          first_play: times[0] ?? '',
          last_play: times.at(-1) ?? '',
          plays: group.length,
        };
      });
      expectAnswer(answer, rows, (row) => [text(row.first_play)]);
      expect(answer.map((row) => row.track_name)).toContain(`'${HOSTILE_TRACK_NAME}`);
    },
  },
  'Skip rate per artist (exported plays say whether you skipped)': {
    check: (answer, { plays }) => {
      const exported = plays.filter((play) => play.source === 'export' && play.skipped !== null);
      const rows = groupBy(exported, (play) => text(play.artist_names).split('|')[0] ?? '')
        .filter((group) => group.length >= 20)
        .map((group) => ({
          artist: text(group[0]?.artist_names ?? '').split('|')[0] ?? '',
          plays: group.length,
          skip_rate_pct: roundTo(
            (100 * group.filter((play) => play.skipped === true).length) / group.length,
            1,
          ),
        }));
      expectAnswer(answer, rows, (row) => [-(num(row.skip_rate_pct) ?? 0)], 20);
    },
  },
  "Listening by hour of day (UTC; add AT TIME ZONE 'Europe/Berlin' after the timestamp for yours)": {
    check: (answer, { plays }) => {
      const exported = plays.filter((play) => play.source === 'export');
      const rows = groupBy(exported, (play) => String(new Date(text(play.played_at)).getUTCHours())).map(
        (group) => ({
          hour: new Date(text(group[0]?.played_at ?? '')).getUTCHours(),
          hours: roundTo(group.reduce((sum, play) => sum + (num(play.ms_played) ?? 0), 0) / 3_600_000, 1),
        }),
      );
      expectAnswer(answer, rows, (row) => [num(row.hour) ?? 0]);
    },
  },
  'The first play of every track in your library (plays of 30 s or more, as Spotify counts a stream)': {
    check: (answer, { plays }) => {
      const streams = plays.filter((play) => (num(play.ms_played) ?? 30000) >= 30000);
      const groups = groupBy(streams, (play) => text(play.track_id));
      const rows = groups.map((group) => ({
        track_id: group[0]?.track_id ?? '',
        first_play: group.map((play) => text(play.played_at)).sort()[0] ?? '',
        plays: group.length,
      }));
      expectAnswer(
        answer.map(({ track_id, first_play, plays: count }) => ({ track_id, first_play, plays: count })),
        rows,
        (row) => [text(row.first_play)],
      );
      // arbitrary() gives one of the track's names and credits, whichever.
      for (const row of answer) {
        const group = groups.find((candidate) => candidate[0]?.track_id === row.track_id) ?? [];
        expect(group.map((play) => play.track_name)).toContain(row.track_name);
        expect(group.map((play) => play.artist_names)).toContain(row.artist_names);
      }
    },
  },
};

describe("the README's Athena queries", () => {
  let stack: LocalStack | undefined;
  let engine: SqlEngine | undefined;
  const ask = (sql: string) => {
    if (!engine) throw new Error('DuckDB did not start');
    return engine.run(sql);
  };
  let data: { tracks: Row[]; plays: Row[] };

  beforeAll(async () => {
    if (!sqlEngineInstalled) return;
    stack = await startLocalStack({ listening: LISTENING });
    const token = stack.spotify.grantRefreshToken();
    for (const days of RUN_DAYS_AGO) {
      const date = daysAgo(days);
      const runAt = new Date(`${date}T06:00:00.000Z`);
      stack.spotify.options.snapshotDate = date;
      stack.spotify.options.now = () => runAt;
      if (days === HOSTILE_DAYS_AGO) {
        stack.spotify.options.faults.push(
          { endpoint: 'top_tracks', edit: withHostileNames, times: 1 },
          { endpoint: 'recently_played', edit: withHostileNames, times: 1 },
        );
      }
      const result = await stack.runAsUser(token, { snapshotDate: date, sources: SOURCES });
      expect([date, result.status, result.cause]).toEqual([date, 'SUCCEEDED', undefined]);
    }
    // Then the user imports their streaming history, today, before today's daily run.
    const inbox = keys.inboxFolder('athena-queries');
    const exportedAt = new Date(`${daysAgo(1)}T22:00:00.000Z`);
    await uploadPrepared(stack, inbox, sampleExport({ listening: LISTENING, exportedAt, historyDays: 100 }));
    const imported = await stack.run({ snapshotDate: TODAY, input: { import: { prefix: inbox } } });
    expect([imported.status, imported.cause]).toEqual(['SUCCEEDED', undefined]);

    const bucketDir = path.join(stack.dataDir, stack.bucket);
    const files = await publishedFiles(bucketDir);
    data = {
      tracks: rowsOf(files, TOP_TRACKS, PREFIXES.topTracks),
      plays: rowsOf(files, RECENTLY_PLAYED, PREFIXES.recentlyPlayed),
    };
    engine = await openSqlEngine();
    await ask('CREATE SCHEMA spotify_etl_dev');
    await ask(tableSql('spotify_etl_dev', TOP_TRACKS, bucketDir, PREFIXES.topTracks));
    await ask(tableSql('spotify_etl_dev', RECENTLY_PLAYED, bucketDir, PREFIXES.recentlyPlayed));
    for (const macro of TRINO_MACROS) await ask(macro);
  }, 180_000);

  afterAll(async () => {
    engine?.close();
    await stack?.close();
  });

  test('has history with a gap, nothing yet today, hostile names and imported plays to ask about', () => {
    const dates = new Set(data.tracks.map((row) => row.snapshot_date));
    expect([...dates].sort()).toEqual(RUN_DAYS_AGO.map(daysAgo).sort());
    expect(data.tracks.map((row) => row.track_name)).toContain(`'${HOSTILE_TRACK_NAME}`);
    expect(data.tracks.map((row) => row.artist_names)).toContainEqual(
      expect.stringMatching(/^AC¦DC\|Back\\slash Trio\|/),
    );
    expect(data.tracks.map((row) => row.artist_ids)).toContainEqual(expect.stringMatching(/^acdc0+\|\|/));
    expect(data.plays.filter((play) => play.source === 'export').length).toBeGreaterThan(400);
  });

  test('reads every cell of every curated file as Athena does (backslashes, quotes, formulas, AC|DC)', async () => {
    for (const [dataset, rows] of [
      [TOP_TRACKS, data.tracks],
      [RECENTLY_PLAYED, data.plays],
    ] as const) {
      const answer = await ask(`SELECT * FROM spotify_etl_dev.${dataset.name}`);
      const asTable = (row: Row | SqlRow) =>
        JSON.stringify(dataset.columns.map((column) => cellOf(column.type, row[column.name])));
      expect(Object.keys(answer[0] ?? {})).toEqual(dataset.columns.map((column) => column.name));
      expect(answer.map(asTable).sort()).toEqual(rows.map(asTable).sort());
    }
  });

  for (const query of readmeQueries()) {
    test(`answers "${query.title}" right`, async () => {
      const expectation = EXPECTATIONS[query.title];
      if (!expectation) throw new Error(`README query "${query.title}" has no expectation here: add one`);
      // Asked again if the UTC day changed while the engine answered, so `today` is its current_date.
      for (;;) {
        const [before] = await ask('SELECT CAST(current_date AS VARCHAR) AS today');
        const answer = await ask(query.sql);
        const [after] = await ask('SELECT CAST(current_date AS VARCHAR) AS today');
        if (before?.today !== after?.today) continue;
        expectation.check(answer, data, String(after?.today));
        return;
      }
    });
  }

  it('covers every README query with an expectation', () => {
    expect(
      readmeQueries()
        .map((query) => query.title)
        .sort(),
    ).toEqual(Object.keys(EXPECTATIONS).sort());
  });
});
