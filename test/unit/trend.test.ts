import { buildTrend, notableMovers, type ChartRow } from '../../scripts/report/trend';

const row = (snapshotDate: string, trackId: string, rank: number, source = 'p1'): ChartRow => ({
  snapshotDate,
  source,
  sourceName: 'Top 50 - Test',
  rank,
  trackId,
  trackName: `Song ${trackId}`,
  artistNames: 'A|B',
});

describe('buildTrend', () => {
  const rows = [
    row('2026-01-01', 'a', 1),
    row('2026-01-01', 'b', 2),
    row('2026-01-01', 'c', 3),
    row('2026-01-02', 'b', 1),
    row('2026-01-02', 'a', 2),
    row('2026-01-02', 'd', 3),
    row('2026-01-02', 'x', 1, 'other'),
  ];

  it("charts the newest date's top tracks with their rank on every date", () => {
    const trend = buildTrend(rows, 'p1', 2);
    expect(trend.dates).toEqual(['2026-01-01', '2026-01-02']);
    expect(trend.tracks.map((track) => [track.label, track.ranks])).toEqual([
      ['Song b · A, B', [2, 1]],
      ['Song a · A, B', [1, 2]],
    ]);
  });

  it('lists climbers, fallers, new entries and drop-outs against the date before', () => {
    const { movers } = buildTrend(rows, 'p1', 10);
    expect(movers.map((mover) => [mover.label.split(' ·')[0], mover.kind, mover.change])).toEqual([
      ['Song b', 'up', 1],
      ['Song a', 'down', -1],
      ['Song d', 'new', null],
      ['Song c', 'dropped', null],
    ]);
    expect(notableMovers(movers, 2).map((mover) => mover.kind)).toEqual(['new', 'dropped']);
  });

  it('marks nothing as moved when there is a single date', () => {
    const { movers } = buildTrend(
      rows.filter((r) => r.snapshotDate === '2026-01-01'),
      'p1',
      10,
    );
    expect(notableMovers(movers, 10)).toEqual([]);
  });
});
