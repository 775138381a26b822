import { neutralizeFormula, renderCsv, toCsvRow } from '../../functions/load/csv';
import { COLUMN_NAMES } from '../../functions/commons/domain/top-track-record';
import { parseCsv } from '../helpers/csv';
import { record } from '../helpers/fixtures';

const on = { neutralizeFormulas: true };
const off = { neutralizeFormulas: false };

describe('renderCsv', () => {
  it('writes the documented header in order and one CRLF-terminated row per record', () => {
    const csv = renderCsv([record(), record({ rank: 2, track_id: 'track2' })], on);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(COLUMN_NAMES.join(','));
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(parseCsv(csv).rows.map((row) => row.rank)).toEqual(['1', '2']);
  });

  it('renders an empty run as the header alone', () => {
    expect(renderCsv([], on)).toBe(`${COLUMN_NAMES.join(',')}\r\n`);
  });

  it('round-trips commas, quotes, line breaks, emoji, CJK and right-to-left text (RFC 4180)', () => {
    const tricky = {
      track_name: 'Say "Yes", please',
      album_name: 'Line one\nline two',
      playlist_name: 'Top 50 🌍 夜に駆ける',
      artist_names: ['نور الهدى', 'יעל כהן', 'Crystal, Clear & Co.'],
    };
    const csv = renderCsv([record(tricky)], on);
    expect(csv).toContain('"Say ""Yes"", please"');
    const [row] = parseCsv(csv).rows;
    expect(row).toMatchObject({
      track_name: 'Say "Yes", please',
      album_name: 'Line one\nline two',
      playlist_name: 'Top 50 🌍 夜に駆ける',
      artist_names: 'نور الهدى|יעל כהן|Crystal, Clear & Co.',
    });
  });

  it('leaves plain cells unquoted and missing values empty', () => {
    const csv = renderCsv(
      [record({ popularity: null, danceability: null, explicit: true, artist_genres: [] })],
      on,
    );
    const [row] = parseCsv(csv).rows;
    expect(row).toMatchObject({ popularity: '', danceability: '', explicit: 'true', artist_genres: '' });
    expect(csv.split('\r\n')[1]).toMatch(/^playlist1,Top 50 - Test,1,track1,Song,.*,2026-03-01$/);
  });
});

describe('formula neutralization', () => {
  it.each(['=SUM(A1:A9)', '+44 Calling', '-Minus', '@handle', '\tTab', '\rCR'])(
    'prefixes %j with a quote',
    (cell) => {
      expect(neutralizeFormula(cell)).toBe(`'${cell}`);
    },
  );

  it('leaves ordinary text alone', () => {
    expect(neutralizeFormula('Hello = world')).toBe('Hello = world');
  });

  it('touches only free-text columns, never numbers such as a negative value', () => {
    const row = toCsvRow(
      record({ track_name: '=HYPERLINK("x")', artist_names: ['@me', 'you'], tempo: -1 }),
      on,
    );
    expect(row.track_name).toBe(`'=HYPERLINK("x")`);
    expect(row.artist_names).toBe(`'@me|you`);
    expect(row.tempo).toBe('-1');
  });

  it('can be switched off', () => {
    expect(toCsvRow(record({ track_name: '=1+1' }), off).track_name).toBe('=1+1');
  });
});
