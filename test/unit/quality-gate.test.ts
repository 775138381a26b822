import type { NormalizedDocument } from '../../functions/commons/domain/staging-documents';
import { emptyCorrectionCounts, emptySkipCounts } from '../../functions/commons/domain/tracks';
import { checkQuality } from '../../functions/load/quality-gate';
import type { PlayRecord } from '../../functions/datasets/recently-played';
import type { TopTrackRecord } from '../../functions/datasets/top-tracks';
import { playRecord, topTrackRecord } from '../helpers/fixtures';

const bounds = { minRowsPerSource: 1, maxRowsPerSource: 50 };

const common = {
  schemaVersion: 2 as const,
  source: 'playlist:playlist1',
  sourceName: 'Top 50 - Test',
  snapshotDate: '2026-03-01',
  runId: 'run-1',
  itemsSeen: 0,
  skipped: emptySkipCounts(),
  corrected: emptyCorrectionCounts(),
  enrichmentUnavailable: [],
};
const ranked = (records: TopTrackRecord[]): NormalizedDocument => ({
  ...common,
  dataset: 'top_tracks',
  records,
});
const plays = (records: PlayRecord[]): NormalizedDocument => ({
  ...common,
  source: 'me:recently-played',
  sourceName: 'Your recently played tracks',
  dataset: 'recently_played',
  records,
});

describe('checkQuality: top_tracks', () => {
  it('passes a clean source, gaps in ranks included', () => {
    const records = [topTrackRecord({ rank: 1 }), topTrackRecord({ rank: 3, track_id: 't3' })];
    expect(checkQuality(ranked(records), bounds)).toEqual([]);
  });

  it('reports duplicate and out-of-order ranks', () => {
    const records = [
      topTrackRecord({ rank: 2 }),
      topTrackRecord({ rank: 2, track_id: 'b' }),
      topTrackRecord({ rank: 1, track_id: 'c' }),
      topTrackRecord({ rank: 3, track_id: 'd' }),
    ];
    expect(checkQuality(ranked(records), bounds)).toEqual([
      'row 2: rank 2 follows rank 2',
      'row 3: rank 1 follows rank 2',
    ]);
  });

  it('reports row counts outside the bounds, a source with no rows included', () => {
    expect(checkQuality(ranked([]), bounds)).toEqual(['0 rows, outside the allowed 1..50']);
    const three = [1, 2, 3].map((rank) => topTrackRecord({ rank, track_id: `t${rank}` }));
    expect(checkQuality(ranked(three), { minRowsPerSource: 1, maxRowsPerSource: 2 })).toEqual([
      '3 rows, outside the allowed 1..2',
    ]);
    expect(checkQuality(ranked(three), { minRowsPerSource: 3, maxRowsPerSource: 3 })).toEqual([]);
  });

  it('reports rows of another source or date, every problem at once, in row order', () => {
    const violations = checkQuality(
      ranked([
        topTrackRecord({ rank: 1 }),
        topTrackRecord({ rank: 2, source: 'playlist:other' }),
        topTrackRecord({ rank: 2, snapshot_date: '2026-01-01' }),
      ]),
      { minRowsPerSource: 5, maxRowsPerSource: 50 },
    );
    expect(violations).toEqual([
      '3 rows, outside the allowed 5..50',
      'row 2: source playlist:other is not playlist:playlist1',
      "row 3: snapshot_date 2026-01-01 is not the run's 2026-03-01",
      'row 3: rank 2 follows rank 2',
    ]);
  });
});

describe('checkQuality: recently_played', () => {
  it('passes a run with no new plays, whatever the minimum for ranked sources', () => {
    expect(checkQuality(plays([]), { minRowsPerSource: 10, maxRowsPerSource: 50 })).toEqual([]);
  });

  it('still caps the number of rows', () => {
    const many = [1, 2, 3].map((n) => playRecord({ track_id: `t${n}` }));
    expect(checkQuality(plays(many), { minRowsPerSource: 10, maxRowsPerSource: 2 })).toEqual([
      '3 rows, outside the allowed 0..2',
    ]);
  });

  it('does not hold plays to the snapshot date (they are partitioned by played_date)', () => {
    const earlier = playRecord({ played_at: '2026-02-28T23:00:00.000Z', played_date: '2026-02-28' });
    expect(checkQuality(plays([earlier]), bounds)).toEqual([]);
  });
});
