import { checkQuality } from '../../functions/load/quality-gate';
import { record } from '../helpers/fixtures';

const bounds = { minRowsPerPlaylist: 1, maxRowsPerPlaylist: 50 };

describe('checkQuality', () => {
  it('passes a clean playlist, gaps in ranks included', () => {
    const records = [record({ rank: 1 }), record({ rank: 3, track_id: 't3' })];
    expect(checkQuality(records, ['playlist1'], '2026-03-01', bounds)).toEqual([]);
  });

  it('reports duplicate and out-of-order ranks', () => {
    const records = [
      record({ rank: 2 }),
      record({ rank: 2, track_id: 'b' }),
      record({ rank: 1, track_id: 'c' }),
    ];
    const violations = checkQuality(records, ['playlist1'], '2026-03-01', bounds);
    expect(violations).toEqual([
      'playlist playlist1: rank 2 appears more than once',
      'playlist playlist1: rank 1 follows rank 2, not in playlist order',
    ]);
  });

  it('reports row counts outside the bounds, including a playlist with no rows', () => {
    const violations = checkQuality([record()], ['playlist1', 'empty'], '2026-03-01', {
      minRowsPerPlaylist: 1,
      maxRowsPerPlaylist: 0,
    });
    expect(violations).toEqual([
      'playlist playlist1: 1 rows, outside the allowed 1..0',
      'playlist empty: 0 rows, outside the allowed 1..0',
    ]);
  });

  it('reports missing required fields, foreign playlists and the wrong date', () => {
    const violations = checkQuality(
      [
        record({ track_name: '', artist_names: [] }),
        record({ playlist_id: 'other', rank: 2 }),
        record({ snapshot_date: '2026-01-01', rank: 3 }),
      ],
      ['playlist1'],
      '2026-03-01',
      bounds,
    );
    expect(violations).toEqual([
      'row 1: required field(s) empty: track_name',
      'row 1: no artist names',
      'row 2: playlist other was not part of this run',
      "row 3: snapshot_date 2026-01-01 is not the run's 2026-03-01",
    ]);
  });
});
