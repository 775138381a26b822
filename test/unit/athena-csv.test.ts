import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ATHENA_ESCAPE_CHAR, renderCsv } from '../../functions/datasets/csv';
import { TOP_TRACKS, type TopTrackRecord } from '../../functions/datasets/top-tracks';
import { PROJECT_ROOT } from '../../scripts/local/project-files';
import { readLikeOpenCsvSerde } from '../helpers/open-csv-serde';

const HOSTILE = [
  'AC\\DC',
  '¯\\_(ツ)_/¯',
  'ends with a backslash\\',
  'say "hi", then \\"go\\"',
  'C:\\Music\\',
  '\\',
];

function record(name: string): TopTrackRecord {
  return {
    playlist_id: 'p1',
    playlist_name: name,
    rank: 1,
    track_id: 't1',
    track_name: name,
    artist_names: [name, 'Second'],
    artist_ids: ['a1', null],
    album_id: null,
    album_name: name,
    album_type: null,
    album_release_date: null,
    album_total_tracks: null,
    duration_ms: 1000,
    explicit: false,
    popularity: null,
    isrc: null,
    track_url: null,
    added_at: null,
    artist_genres: [],
    danceability: null,
    energy: null,
    speechiness: null,
    acousticness: null,
    instrumentalness: null,
    liveness: null,
    valence: null,
    tempo: null,
    source: 'playlist:p1',
    source_name: name,
    snapshot_date: '2026-01-01',
  };
}

/** What Athena reads is what the pipeline wrote: cells read back OpenCSVSerDe's way, backslashes included. */
describe('curated CSV as Athena reads it', () => {
  const csv = renderCsv(TOP_TRACKS, HOSTILE.map(record), { neutralizeFormulas: true });

  it('comes back cell for cell with the escape character the tables declare', () => {
    const [, ...rows] = readLikeOpenCsvSerde(csv, ATHENA_ESCAPE_CHAR);
    expect(rows.map((row) => row[4])).toEqual(HOSTILE);
    expect(rows.map((row) => row[5])).toEqual(HOSTILE.map((name) => `${name}|Second`));
    expect(rows.every((row) => row.length === TOP_TRACKS.columns.length)).toBe(true);
  });

  it("would lose backslashes and shift columns with OpenCSVSerDe's default escape (why the tables set one)", () => {
    const [, ...rows] = readLikeOpenCsvSerde(csv, '\\');
    expect(rows[0]?.[4]).toBe('ACDC');
    expect(rows.map((row) => row[4])).not.toEqual(HOSTILE);
  });

  it('is the escape character both Glue tables declare', () => {
    const text = readFileSync(path.join(PROJECT_ROOT, 'resources', 'analytics.yml'), 'utf8');
    const escapes = [...text.matchAll(/escapeChar: "(.*)"/g)].map(
      (match) => parse(`"${match[1] ?? ''}"`) as unknown,
    );
    expect(escapes).toEqual([ATHENA_ESCAPE_CHAR, ATHENA_ESCAPE_CHAR]);
  });
});

describe('list cells', () => {
  it('keep names and ids aligned when a name holds the separator (AC|DC) or an artist has no id', () => {
    const row = {
      ...record('Highway to Hell'),
      artist_names: ['AC|DC', 'Nameless', 'Third'],
      artist_ids: ['a1', null, 'a3'],
    };
    const [, cells] = readLikeOpenCsvSerde(
      renderCsv(TOP_TRACKS, [row], { neutralizeFormulas: true }),
      ATHENA_ESCAPE_CHAR,
    );
    const names = (cells?.[5] ?? '').split('|');
    const ids = (cells?.[6] ?? '').split('|');
    expect(names).toEqual(['AC¦DC', 'Nameless', 'Third']);
    expect(ids).toEqual(['a1', '', 'a3']);
    expect(names).toHaveLength(ids.length);
  });
});
