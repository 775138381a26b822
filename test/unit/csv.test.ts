import { column, type DatasetSpec } from '../../functions/datasets/columns';
import {
  LIST_SEPARATOR,
  neutralizeFormula,
  parseCsv as parseDatasetCsv,
  renderCsv,
  restoreFormula,
} from '../../functions/datasets/csv';
import { RECENTLY_PLAYED } from '../../functions/datasets/recently-played';
import { TOP_TRACKS } from '../../functions/datasets/top-tracks';
import { parseCsv } from '../helpers/csv';
import { exportedPlay, playRecord, topTrackRecord } from '../helpers/fixtures';

const on = { neutralizeFormulas: true };
const off = { neutralizeFormulas: false };
const HEADER = TOP_TRACKS.columns.map((spec) => spec.name).join(',');

describe('renderCsv', () => {
  it('writes the documented header in order and one CRLF-terminated row per record', () => {
    const csv = renderCsv(
      TOP_TRACKS,
      [topTrackRecord(), topTrackRecord({ rank: 2, track_id: 'track2' })],
      on,
    );
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(csv.replaceAll('\r\n', '')).not.toContain('\n');
    expect(parseCsv(csv).rows.map((row) => row.rank)).toEqual(['1', '2']);
  });

  it('renders an empty file as the header alone, CRLF-terminated', () => {
    expect(renderCsv(TOP_TRACKS, [], on)).toBe(`${HEADER}\r\n`);
    expect(renderCsv(RECENTLY_PLAYED, [], on)).toBe(
      `${RECENTLY_PLAYED.columns.map((spec) => spec.name).join(',')}\r\n`,
    );
  });

  it('writes a row exactly: plain cells unquoted, missing values empty, lists joined with |', () => {
    const record = topTrackRecord({
      popularity: null,
      danceability: null,
      explicit: true,
      artist_names: ['Ann', 'Bob'],
      artist_ids: ['a1', null],
      artist_genres: [],
    });
    expect(renderCsv(TOP_TRACKS, [record], on).split('\r\n')[1]).toBe(
      'playlist1,Top 50 - Test,1,track1,Song,Ann|Bob,a1|,album1,Album,single,2026-01-01,1,200000,true,,ISRC1,' +
        'https://open.spotify.com/track/track1,2026-02-01T00:00:00Z,,,0.5,0.1,0.2,0,0.1,0.6,120,' +
        'playlist:playlist1,Top 50 - Test,2026-03-01',
    );
    expect(LIST_SEPARATOR).toBe('|');
  });

  it('quotes only cells holding a quote or comma, doubling quotes (RFC 4180); line breaks become spaces', () => {
    const record = topTrackRecord({
      track_name: 'Say "Yes", please',
      album_name: 'Line one\r\nline two',
      playlist_name: 'Lone\rCR',
      source_name: 'Lone\nLF',
      artist_names: ['Crystal, Clear & Co.', 'Plain'],
    });
    const line = renderCsv(TOP_TRACKS, [record], off);
    expect(line).toContain(',"Say ""Yes"", please",');
    // Athena's OpenCSVSerDe reads no line break inside a cell: every row is one physical line.
    expect(line).toContain(',Line one  line two,');
    expect(line).toContain(',Lone CR,');
    expect(line).toContain(',Lone LF,');
    expect(line).toContain(',"Crystal, Clear & Co.|Plain",');
    expect(line).toContain(',single,');
  });

  it('round-trips commas, quotes, emoji, CJK and right-to-left text through an independent parser', () => {
    const tricky = {
      track_name: 'Say "Yes", please',
      album_name: 'Line one line two',
      playlist_name: 'Top 50 🌍 夜に駆ける',
      artist_names: ['نور الهدى', 'יעל כהן', 'Crystal, Clear & Co.'],
    };
    const [row] = parseCsv(renderCsv(TOP_TRACKS, [topTrackRecord(tricky)], on)).rows;
    expect(row).toMatchObject({
      track_name: 'Say "Yes", please',
      album_name: 'Line one line two',
      playlist_name: 'Top 50 🌍 夜に駆ける',
      artist_names: 'نور الهدى|יעל כהן|Crystal, Clear & Co.',
    });
  });
});

describe('renderCsv / parseCsv round trip', () => {
  it.each([
    ['neutralized', on],
    ['raw', off],
  ])('reads back top_tracks rows of every column type (%s)', (_label, options) => {
    const records = [
      topTrackRecord(),
      topTrackRecord({
        playlist_id: null,
        playlist_name: null,
        rank: 50,
        track_name: '=HYPERLINK("https://evil.example","Click")',
        artist_names: ['@handle', "'quoted", 'Crystal, Clear & Co.'],
        artist_ids: [null, 'a2', null],
        album_id: null,
        album_name: 'Line one, line "two"',
        album_type: null,
        album_release_date: null,
        album_total_tracks: null,
        duration_ms: null,
        explicit: null,
        popularity: 0,
        isrc: null,
        track_url: null,
        added_at: null,
        artist_genres: ['-5', '+1', 'k-pop'],
        danceability: 0.123456789,
        energy: 1,
        speechiness: 0,
        acousticness: null,
        instrumentalness: 1e-7,
        liveness: null,
        valence: null,
        tempo: -1.5,
        source: 'me:top-tracks:short_term',
        source_name: '-5',
      }),
      topTrackRecord({ rank: 3, explicit: false, artist_ids: [null, null], artist_genres: [] }),
    ];
    const csv = renderCsv(TOP_TRACKS, records, options);
    expect(parseDatasetCsv(TOP_TRACKS, csv, options)).toEqual(records);
  });

  it('reads back recently_played rows, api and export, booleans of every value', () => {
    const records = [
      playRecord(),
      playRecord({ context_type: null, context_uri: null, artist_ids: ['a1', null], explicit: true }),
      exportedPlay({ shuffle: true, skipped: null, offline: false, platform: '=cmd|"/c calc"' }),
    ];
    const csv = renderCsv(RECENTLY_PLAYED, records, on);
    expect(parseDatasetCsv(RECENTLY_PLAYED, csv, on)).toEqual(records);
  });

  // BUG (low impact): a list cell cannot tell `[null]` from `[]`: both render as an empty cell, and
  // parseCsv (functions/datasets/csv.ts, parseCell: `raw === '' ? []`) reads it as `[]`. A play
  // whose only artist has no id reads back with artist_ids [] beside artist_names ['X'], so the
  // lists are no longer aligned (the re-rendered bytes are the same). Fix: parse an empty cell of
  // an aligned list (artist_ids) as one null per item of its partner column, or write a marker for
  // a null item.
  it('reads back a list holding a single null id', () => {
    const records = [playRecord({ artist_names: ['Nameless'], artist_ids: [null] })];
    expect(parseDatasetCsv(RECENTLY_PLAYED, renderCsv(RECENTLY_PLAYED, records, on), on)).toEqual(records);
  });

  it('reads an empty file or a header alone as no rows', () => {
    expect(parseDatasetCsv(TOP_TRACKS, '', on)).toEqual([]);
    expect(parseDatasetCsv(TOP_TRACKS, `${HEADER}\r\n`, on)).toEqual([]);
  });

  it('refuses a file whose header is not the dataset’s', () => {
    const csv = renderCsv(TOP_TRACKS, [topTrackRecord()], on);
    expect(() => parseDatasetCsv(RECENTLY_PLAYED, csv, on)).toThrow(
      /^the header is \["playlist_id","playlist_name",.*"snapshot_date"\], not the recently_played columns$/,
    );
  });

  it('refuses a row with the wrong number of cells', () => {
    expect(() => parseDatasetCsv(TOP_TRACKS, `${HEADER}\r\na,b\r\n`, on)).toThrow();
  });

  it('converts cells by column type', () => {
    const dataset: DatasetSpec<'n' | 'd' | 'b' | 's' | 'l' | 'p'> = {
      name: 'typed',
      partitionKey: 'p',
      columns: [
        column('n', 'int', ''),
        column('d', 'double', ''),
        column('b', 'boolean', ''),
        column('s', 'string', ''),
        column('l', 'string', '', { list: true }),
        column('p', 'date', ''),
      ],
    };
    expect(
      parseDatasetCsv(dataset, 'n,d,b,s,l,p\r\n-7,2.5,true,x,a||b,2026-03-01\r\n,,false,,,\r\n', on),
    ).toEqual([
      { n: -7, d: 2.5, b: true, s: 'x', l: ['a', null, 'b'], p: '2026-03-01' },
      { n: null, d: null, b: false, s: null, l: [], p: null },
    ]);
  });
});

describe('formula neutralization', () => {
  it.each(['=SUM(A1:A9)', '+44 Calling', '-Minus', '-5', '@handle', '\tTab', '\rCR', "'quoted", "'", "''"])(
    'prefixes %j with one quote, and restoreFormula removes exactly that one',
    (cell) => {
      expect(neutralizeFormula(cell)).toBe(`'${cell}`);
      expect(restoreFormula(neutralizeFormula(cell))).toBe(cell);
    },
  );

  it.each(['Hello = world', 'plain', '', ' =leading space', '5-4', 'a@b'])('leaves %j alone', (cell) => {
    expect(neutralizeFormula(cell)).toBe(cell);
    expect(restoreFormula(cell)).toBe(cell);
  });

  it('removes a quote only where neutralization put one', () => {
    expect(restoreFormula("'=x")).toBe('=x');
    expect(restoreFormula("''x")).toBe("'x");
    expect(restoreFormula("'plain")).toBe("'plain");
  });

  it('is reversible however often a quote repeats', () => {
    for (const cell of ["'''=x", "''", "'-5", "'\t", '==', "'@'"]) {
      expect(restoreFormula(neutralizeFormula(cell))).toBe(cell);
    }
  });

  it('touches string cells (lists as one cell), never numbers such as a negative value', () => {
    const record = topTrackRecord({
      track_name: '=HYPERLINK("x")',
      artist_names: ['@me', 'you'],
      artist_genres: ['pop', '=not first'],
      source_name: '-5',
      tempo: -1,
    });
    const [row] = parseCsv(renderCsv(TOP_TRACKS, [record], on)).rows;
    expect(row).toMatchObject({
      track_name: `'=HYPERLINK("x")`,
      artist_names: `'@me|you`,
      artist_genres: 'pop|=not first',
      source_name: "'-5",
      tempo: '-1',
    });
    expect(renderCsv(TOP_TRACKS, [record], on)).toContain(`,"'=HYPERLINK(""x"")",`);
  });

  it('can be switched off', () => {
    const record = topTrackRecord({ track_name: '=1+1', artist_names: ["'quoted"] });
    const [row] = parseCsv(renderCsv(TOP_TRACKS, [record], off)).rows;
    expect(row).toMatchObject({ track_name: '=1+1', artist_names: "'quoted" });
    expect(parseDatasetCsv(TOP_TRACKS, renderCsv(TOP_TRACKS, [record], off), off)).toEqual([record]);
  });
});
