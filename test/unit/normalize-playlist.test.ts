import { cleanText, normalizePlaylist } from '../../functions/transform/normalize-playlist';
import { normalizeRun, summarizeRun } from '../../functions/transform/normalize-run';
import { page, rawDocument, track } from '../helpers/fixtures';

describe('normalizePlaylist', () => {
  it('makes one record per entry with its 1-based playlist position as rank, across pages', () => {
    const document = rawDocument({
      itemPages: [
        page([{ added_at: '2026-02-01T00:00:00Z', track: track('t1', 'One', [['a1', 'Ann']]) }], 'next-page'),
        page([{ added_at: null, track: track('t2', 'Two', [['a2', 'Bob']]) }]),
      ],
    });
    const { records, itemsSeen } = normalizePlaylist(document);
    expect(itemsSeen).toBe(2);
    expect(records.map((r) => [r.rank, r.track_id, r.track_name])).toEqual([
      [1, 't1', 'One'],
      [2, 't2', 'Two'],
    ]);
    expect(records[0]).toMatchObject({
      snapshot_date: '2026-03-01',
      playlist_id: 'playlist1',
      playlist_name: 'Top 50 - Test',
      added_at: '2026-02-01T00:00:00Z',
      album_id: 'album-t1',
      album_release_date: '2026-01',
      isrc: 'ISRCt1',
      track_url: 'https://open.spotify.com/track/t1',
    });
    expect(records[1]?.added_at).toBeNull();
  });

  it('keeps every credited artist in order, not only the first', () => {
    const document = rawDocument({
      itemPages: [
        page([
          {
            track: track('t1', 'Duet', [
              ['a1', 'First'],
              ['a2', 'Second, Jr.'],
              ['a3', 'Third'],
            ]),
          },
        ]),
      ],
    });
    const [only] = normalizePlaylist(document).records;
    expect(only?.artist_names).toEqual(['First', 'Second, Jr.', 'Third']);
    expect(only?.artist_ids).toEqual(['a1', 'a2', 'a3']);
  });

  it('joins artist genres and audio features by id, and leaves them empty when refused', () => {
    const entries = [
      {
        track: track('t1', 'One', [
          ['a1', 'Ann'],
          ['a2', 'Bob'],
        ]),
      },
      { track: track('t2', 'Two', [['a2', 'Bob']]) },
    ];
    const enriched = normalizePlaylist(
      rawDocument({
        itemPages: [page(entries)],
        artists: {
          status: 'ok',
          responses: [
            {
              artists: [
                { id: 'a1', name: 'Ann', genres: ['pop', 'k-pop'] },
                { id: 'a2', name: 'Bob', genres: ['pop', 'edm'] },
              ],
            },
          ],
        },
        audioFeatures: {
          status: 'ok',
          responses: [{ audio_features: [{ id: 't2', danceability: 0.7, tempo: 121.5 }, null] }],
        },
      }),
    );
    expect(enriched.records[0]?.artist_genres).toEqual(['pop', 'k-pop', 'edm']);
    expect(enriched.records[0]?.danceability).toBeNull();
    expect(enriched.records[1]).toMatchObject({ danceability: 0.7, tempo: 121.5, energy: null });
    expect(enriched.enrichmentUnavailable).toEqual([]);

    const refused = normalizePlaylist(
      rawDocument({
        itemPages: [page(entries)],
        artists: { status: 'unavailable', httpStatus: 404, reason: 'Service not found' },
        audioFeatures: { status: 'unavailable', httpStatus: 403, reason: 'Forbidden' },
      }),
    );
    expect(refused.records[0]).toMatchObject({ artist_genres: [], danceability: null, tempo: null });
    expect(refused.enrichmentUnavailable).toEqual(['artists (HTTP 404)', 'audio_features (HTTP 403)']);
  });

  it('reads the 2026 `item` field and leaves popularity empty when Spotify no longer sends it', () => {
    const document = rawDocument({
      apiShape: 'items',
      itemPages: [
        page([
          { item: track('t1', 'New shape', [['a1', 'Ann']]) },
          { item: track('t2', 'Old', [['a1', 'Ann']], { popularity: 87 }) },
        ]),
      ],
    });
    const { records } = normalizePlaylist(document);
    expect(records.map((r) => r.popularity)).toEqual([null, 87]);
  });

  it('skips null, malformed, local, episode, unavailable and duplicate entries, counting each, leaving ranks unused', () => {
    const document = rawDocument({
      itemPages: [
        page([
          { track: track('t1', 'Kept', [['a1', 'Ann']]) },
          null,
          { track: null },
          { is_local: true, track: track(null, 'My demo.mp3', [[null, 'Me']], { is_local: true }) },
          { track: { type: 'episode' } },
          { track: track(null, 'Gone', [['a1', 'Ann']]) },
          { track: track('t1', 'Kept again', [['a1', 'Ann']]) },
          { track: { type: 'track', id: 't9', name: 'No artists or album' } },
          { track: track('t2', 'Also kept', [['a2', 'Bob']]) },
        ]),
      ],
    });
    const result = normalizePlaylist(document);
    expect(result.records.map((r) => [r.rank, r.track_id])).toEqual([
      [1, 't1'],
      [9, 't2'],
    ]);
    expect(result.skipped).toEqual({
      null_item: 2,
      invalid: 1,
      local_file: 1,
      episode: 1,
      unavailable: 1,
      duplicate: 1,
    });
    expect(result.itemsSeen).toBe(9);
  });

  it('keeps missing optional fields empty instead of inventing values', () => {
    const bare = {
      type: 'track' as const,
      id: 't1',
      name: 'Bare',
      artists: [{ id: 'a1', name: 'Ann' }],
      album: { id: null, name: 'Album' },
      duration_ms: 1000,
      explicit: true,
    };
    const [only] = normalizePlaylist(rawDocument({ itemPages: [page([{ track: bare }])] })).records;
    expect(only).toMatchObject({
      album_id: null,
      album_type: null,
      album_release_date: null,
      album_total_tracks: null,
      popularity: null,
      isrc: null,
      track_url: null,
      added_at: null,
      explicit: true,
    });
  });

  it('collapses line breaks and tabs in names so every CSV row stays on one line', () => {
    expect(cleanText('Line One\nLine Two')).toBe('Line One Line Two');
    expect(cleanText('\tTabbed\r\n ')).toBe('Tabbed');
    expect(cleanText('夜に駆ける 🌅 حبيبي')).toBe('夜に駆ける 🌅 حبيبي');
  });
});

describe('normalizeRun / summarizeRun', () => {
  it('keeps playlists in run order and totals their counts', () => {
    const first = rawDocument({
      playlistId: 'p1',
      itemPages: [page([{ track: track('t1', 'A', [['a1', 'Ann']]) }, null])],
    });
    const second = rawDocument({
      playlistId: 'p2',
      playlist: { id: 'p2', name: 'Second' },
      itemPages: [page([{ track: track('t1', 'A', [['a1', 'Ann']]) }])],
      audioFeatures: { status: 'unavailable', httpStatus: 403, reason: 'Forbidden' },
    });
    const normalized = normalizeRun('2026-03-01', [first, second]);
    expect(normalized.records.map((r) => [r.playlist_id, r.rank])).toEqual([
      ['p1', 1],
      ['p2', 1],
    ]);
    expect(summarizeRun(normalized)).toEqual({
      records: 2,
      itemsSeen: 3,
      skipped: { null_item: 1, invalid: 0, local_file: 0, episode: 0, unavailable: 0, duplicate: 0 },
      enrichmentUnavailable: ['audio_features (HTTP 403)'],
    });
  });
});
