import {
  isSourceRef,
  parseSourceRef,
  playlistSource,
  type SourceRef,
} from '../../functions/commons/domain/sources';
import {
  cleanText,
  emptyCorrectionCounts,
  emptySkipCounts,
  MAX_TEXT_CHARS,
  NO_ENRICHMENTS,
  usableTrack,
  type Enrichments,
  type SourceEntry,
  type Track,
} from '../../functions/commons/domain/tracks';
import { renderCsv, parseCsv as parseDatasetCsv } from '../../functions/datasets/csv';
import {
  canonicalInstant,
  mergePlays,
  PLAY_MATCH_TOLERANCE_MS,
  playKey,
  playRecordSchema,
  playRows,
  playsByDay,
  RECENTLY_PLAYED,
  type PlayRecord,
} from '../../functions/datasets/recently-played';
import { rankedRows, TOP_TRACKS, topTrackRecordSchema } from '../../functions/datasets/top-tracks';
import { playlistAdapter } from '../../functions/sources/playlist';
import { recentlyPlayedAdapter } from '../../functions/sources/recently-played';
import { parseCsv } from '../helpers/csv';
import {
  domainTrack,
  exportedPlay,
  page,
  playHistory,
  playlistPayload,
  playRecord,
  recentlyPlayedPayload,
  track,
} from '../helpers/fixtures';

function source(raw: string): SourceRef {
  const parsed = parseSourceRef(raw);
  if (!isSourceRef(parsed)) throw new Error(parsed.problem);
  return parsed;
}

const PLAYLIST = playlistSource('playlist1');
const on = { neutralizeFormulas: true };

const entry = (
  t: Track,
  extras: Partial<Pick<Extract<SourceEntry, { kind: 'track' }>, 'addedAt' | 'playedAt' | 'context'>> = {},
): SourceEntry => ({ kind: 'track', track: t, addedAt: null, playedAt: null, context: null, ...extras });
const skip = (reason: Extract<SourceEntry, { kind: 'skip' }>['reason']): SourceEntry => ({
  kind: 'skip',
  reason,
});
const played = (t: Track, playedAt: string | null) => entry(t, { playedAt });

const ranked = (
  entries: SourceEntry[],
  enrichments: Enrichments = NO_ENRICHMENTS,
  from: SourceRef = PLAYLIST,
) =>
  rankedRows({ source: from, sourceName: 'Top 50 - Test', snapshotDate: '2026-03-01', entries, enrichments });

function entriesOf(result: ReturnType<typeof playlistAdapter.read>): SourceEntry[] {
  if ('problem' in result) throw new Error(result.problem);
  return result.entries;
}

describe('cleanText', () => {
  it('collapses line breaks and tabs so every CSV row stays on one line', () => {
    expect(cleanText('Line One\nLine Two')).toBe('Line One Line Two');
    expect(cleanText('A\r\n\r\nB\t\tC\u2028D\u2029E')).toBe('A B C D E');
    expect(cleanText('\tTabbed\r\n ')).toBe('Tabbed');
    expect(cleanText('  padded  ')).toBe('padded');
    expect(cleanText('夜に駆ける 🌅 حبيبي')).toBe('夜に駆ける 🌅 حبيبي');
  });
});

describe('usableTrack', () => {
  it.each([
    ['a complete track', undefined, domainTrack('t1', 'One', [['a1', 'Ann']])],
    ['a track whose only artist has no id', undefined, domainTrack('t1', 'One', [[null, 'Ann']])],
    ['no id', 'unavailable', domainTrack(null, 'One', [['a1', 'Ann']])],
    ['an empty id', 'unavailable', domainTrack('', 'One', [['a1', 'Ann']])],
    ['an empty name', 'invalid', domainTrack('t1', '', [['a1', 'Ann']])],
    ['a blank name', 'invalid', domainTrack('t1', ' \n\t', [['a1', 'Ann']])],
    ['no artists', 'invalid', domainTrack('t1', 'One', [])],
    [
      'only blank artist names',
      'invalid',
      domainTrack('t1', 'One', [
        ['a1', ''],
        ['a2', '\t'],
      ]),
    ],
  ])('%s → %s', (_label, expected, t) => {
    expect(usableTrack(t)).toBe(expected);
  });
});

describe('rankedRows', () => {
  const enrichments: Enrichments = {
    genresByArtist: new Map([
      ['a1', ['pop', 'k-pop']],
      ['a2', ['pop', 'edm\n']],
    ]),
    featuresByTrack: new Map([
      [
        't1',
        {
          danceability: 0.7,
          energy: 0.8,
          speechiness: 0.05,
          acousticness: 0.1,
          instrumentalness: 0,
          liveness: 0.2,
          valence: 0.9,
          tempo: 121.5,
        },
      ],
    ]),
    unavailable: [],
  };

  it('makes a complete row for a playlist entry, joined with its enrichments', () => {
    const t1 = domainTrack('t1', 'One', [
      ['a1', 'Ann'],
      ['a2', 'Bob'],
    ]);
    const result = ranked([entry(t1, { addedAt: '2026-02-01T00:00:00Z' })], enrichments);
    expect(result).toEqual({
      records: [
        {
          playlist_id: 'playlist1',
          playlist_name: 'Top 50 - Test',
          rank: 1,
          track_id: 't1',
          track_name: 'One',
          artist_names: ['Ann', 'Bob'],
          artist_ids: ['a1', 'a2'],
          album_id: 'album-t1',
          album_name: 'Album of One',
          album_type: 'single',
          album_release_date: '2026-01',
          album_total_tracks: 1,
          duration_ms: 200_000,
          explicit: false,
          popularity: null,
          isrc: 'ISRCt1',
          track_url: 'https://open.spotify.com/track/t1',
          added_at: '2026-02-01T00:00:00Z',
          artist_genres: ['pop', 'k-pop', 'edm'],
          danceability: 0.7,
          energy: 0.8,
          speechiness: 0.05,
          acousticness: 0.1,
          instrumentalness: 0,
          liveness: 0.2,
          valence: 0.9,
          tempo: 121.5,
          source: 'playlist:playlist1',
          source_name: 'Top 50 - Test',
          snapshot_date: '2026-03-01',
        },
      ],
      itemsSeen: 1,
      skipped: emptySkipCounts(),
      corrected: emptyCorrectionCounts(),
    });
    expect(topTrackRecordSchema.safeParse(result.records[0]).success).toBe(true);
  });

  it('leaves enrichment columns empty for a track without enrichments', () => {
    const [row] = ranked([entry(domainTrack('t2', 'Two', [['a9', 'Zed']]))], enrichments).records;
    expect(row).toMatchObject({
      artist_genres: [],
      danceability: null,
      energy: null,
      speechiness: null,
      acousticness: null,
      instrumentalness: null,
      liveness: null,
      valence: null,
      tempo: null,
    });
  });

  it('leaves the playlist columns empty for the user’s top tracks', () => {
    const from = source('me:top-tracks:medium_term');
    const result = rankedRows({
      source: from,
      sourceName: 'Your top tracks, last 6 months',
      snapshotDate: '2026-03-01',
      entries: [entry(domainTrack('t1', 'One', [['a1', 'Ann']]))],
      enrichments: NO_ENRICHMENTS,
    });
    expect(result.records[0]).toMatchObject({
      playlist_id: null,
      playlist_name: null,
      source: 'me:top-tracks:medium_term',
      source_name: 'Your top tracks, last 6 months',
      added_at: null,
    });
    expect(topTrackRecordSchema.safeParse(result.records[0]).success).toBe(true);
  });

  it('ranks by position, leaving gaps for skipped entries, and keeps the first of a duplicate', () => {
    const result = ranked([
      skip('null_item'),
      entry(domainTrack('t1', 'First', [['a1', 'Ann']])),
      skip('episode'),
      entry(domainTrack('t2', 'Second', [['a1', 'Ann']])),
      entry(domainTrack('t1', 'First again', [['a1', 'Ann']])),
      entry(domainTrack('t3', 'Third', [['a1', 'Ann']])),
    ]);
    expect(result.records.map((r) => [r.rank, r.track_id, r.track_name])).toEqual([
      [2, 't1', 'First'],
      [4, 't2', 'Second'],
      [6, 't3', 'Third'],
    ]);
    expect(result.itemsSeen).toBe(6);
    expect(result.skipped).toEqual({ ...emptySkipCounts(), null_item: 1, episode: 1, duplicate: 1 });
  });

  it('skips an entry with an empty name or no artists as invalid, and one without an id as unavailable', () => {
    const result = ranked([
      entry(domainTrack('t1', '', [['a1', 'Ann']])),
      entry(domainTrack('t2', 'No artists', [])),
      entry(domainTrack('t3', 'Blank artists', [['a1', ' ']])),
      entry(domainTrack(null, 'Gone', [['a1', 'Ann']])),
      entry(domainTrack('t1', 'Named now', [['a1', 'Ann']])),
    ]);
    // The first t1 was not usable, so the later one is not a duplicate.
    expect(result.records.map((r) => [r.rank, r.track_id])).toEqual([[5, 't1']]);
    expect(result.skipped).toEqual({ ...emptySkipCounts(), invalid: 3, unavailable: 1 });
  });

  it('keeps every credited artist in order, dropping only nameless credits, ids aligned', () => {
    const t = domainTrack('t1', 'Duet', [
      ['a1', 'First'],
      ['a2', ''],
      [null, 'Second, Jr.'],
      ['a3', 'Third'],
    ]);
    const [row] = ranked([entry(t)]).records;
    expect(row?.artist_names).toEqual(['First', 'Second, Jr.', 'Third']);
    expect(row?.artist_ids).toEqual(['a1', null, 'a3']);
  });

  it('cleans line breaks out of every free-text column', () => {
    const t = domainTrack('t1', 'Line\none', [['a1', 'Ann\tLee']], {
      album: { id: 'al', name: 'Al\r\nbum', type: null, releaseDate: null, totalTracks: null },
    });
    const result = rankedRows({
      source: PLAYLIST,
      sourceName: ' Top\n50 ',
      snapshotDate: '2026-03-01',
      entries: [entry(t)],
      enrichments: NO_ENRICHMENTS,
    });
    expect(result.records[0]).toMatchObject({
      track_name: 'Line one',
      artist_names: ['Ann Lee'],
      album_name: 'Al bum',
      playlist_name: 'Top 50',
      source_name: 'Top 50',
    });
  });

  it('reads a whole playlist as the old normalizer did: the same ranks, counts and rows', () => {
    const payload = playlistPayload({
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
        ]),
        page([{ track: track('t2', 'Also kept', [['a2', 'Bob']]) }]),
      ],
    });
    const result = ranked(entriesOf(playlistAdapter.read(payload, PLAYLIST)));
    expect(result.records.map((r) => [r.rank, r.track_id, r.track_name])).toEqual([
      [1, 't1', 'Kept'],
      [9, 't2', 'Also kept'],
    ]);
    expect(result.skipped).toEqual({
      ...emptySkipCounts(),
      null_item: 2,
      invalid: 1,
      local_file: 1,
      episode: 1,
      unavailable: 1,
      duplicate: 1,
    });
    expect(result.itemsSeen).toBe(9);
  });

  it('rounds a fractional duration and empties out-of-range numbers, down to the CSV', () => {
    const payload = playlistPayload({
      itemPages: [
        page([
          { track: track('t1', 'Fraction', [['a1', 'Ann']], { duration_ms: 1234.5, popularity: 55.5 }) },
          { track: track('t2', 'Negative', [['a1', 'Ann']], { duration_ms: -5, popularity: 101 }) },
        ]),
      ],
    });
    const { records, corrected } = ranked(entriesOf(playlistAdapter.read(payload, PLAYLIST)));
    expect(records.map((r) => [r.track_id, r.duration_ms, r.popularity])).toEqual([
      ['t1', 1235, 56],
      ['t2', null, null],
    ]);
    // Each change is counted: two fractions rounded, two numbers out of range.
    expect(corrected).toEqual({ rounded: 2, out_of_range: 2, truncated: 0 });
    expect(records.every((r) => topTrackRecordSchema.safeParse(r).success)).toBe(true);
    const rows = parseCsv(renderCsv(TOP_TRACKS, records, on)).rows;
    expect(rows.map((row) => [row.duration_ms, row.popularity])).toEqual([
      ['1235', '56'],
      ['', ''],
    ]);
  });

  it('returns nothing, with zero counts, for an empty source', () => {
    expect(ranked([])).toEqual({
      records: [],
      itemsSeen: 0,
      skipped: emptySkipCounts(),
      corrected: emptyCorrectionCounts(),
    });
  });
});

describe('dataset specs', () => {
  it.each([
    ['top_tracks', TOP_TRACKS, Object.keys(topTrackRecordSchema.shape)],
    ['recently_played', RECENTLY_PLAYED, Object.keys(playRecordSchema.shape)],
  ])('%s lists every record field once, in file order, the partition key last', (name, spec, fields) => {
    const columns = spec.columns.map((c) => c.name);
    expect(spec.name).toBe(name);
    expect(columns).toEqual(fields);
    expect(new Set(columns).size).toBe(columns.length);
    expect(columns.at(-1)).toBe(spec.partitionKey);
  });

  it('partitions top_tracks by snapshot_date and recently_played by played_date', () => {
    expect(TOP_TRACKS.partitionKey).toBe('snapshot_date');
    expect(RECENTLY_PLAYED.partitionKey).toBe('played_date');
  });
});

describe('canonicalInstant / playKey', () => {
  it.each([
    ['2026-03-01T10:00:00Z', '2026-03-01T10:00:00.000Z'],
    ['2026-03-01T10:00:00.000Z', '2026-03-01T10:00:00.000Z'],
    ['2026-03-01T11:00:00+01:00', '2026-03-01T10:00:00.000Z'],
    ['2026-03-01T10:00:00.123456Z', '2026-03-01T10:00:00.123Z'],
  ])('writes %s as %s', (value, expected) => {
    expect(canonicalInstant(value)).toBe(expected);
  });

  it.each(['', 'yesterday', '2026-13-01T00:00:00Z'])('refuses %j', (value) => {
    expect(canonicalInstant(value)).toBeUndefined();
  });

  it('identifies a play by when it ended and what was played', () => {
    expect(playKey({ played_at: '2026-03-01T10:00:00.000Z', track_id: 't1' })).toBe(
      '2026-03-01T10:00:00.000Z|t1',
    );
  });
});

describe('playRows', () => {
  const t1 = domainTrack('t1', 'One', [['a1', 'Ann']]);
  const t2 = domainTrack('t2', 'Two', [['a2', 'Bob']]);

  it('makes a complete api row for a play', () => {
    const result = playRows([
      entry(t1, {
        playedAt: '2026-03-01T10:00:00Z',
        context: { type: 'playlist', uri: 'spotify:playlist:p1' },
      }),
    ]);
    expect(result).toEqual({
      records: [
        {
          played_at: '2026-03-01T10:00:00.000Z',
          track_id: 't1',
          track_name: 'One',
          artist_names: ['Ann'],
          artist_ids: ['a1'],
          album_id: 'album-t1',
          album_name: 'Album of One',
          duration_ms: 200_000,
          explicit: false,
          isrc: 'ISRCt1',
          track_url: 'https://open.spotify.com/track/t1',
          context_type: 'playlist',
          context_uri: 'spotify:playlist:p1',
          source: 'api',
          ms_played: null,
          reason_start: null,
          reason_end: null,
          shuffle: null,
          skipped: null,
          offline: null,
          conn_country: null,
          platform: null,
          played_date: '2026-03-01',
        },
      ],
      itemsSeen: 1,
      skipped: emptySkipCounts(),
      corrected: emptyCorrectionCounts(),
    });
    expect(playRecordSchema.safeParse(result.records[0]).success).toBe(true);
  });

  it('makes one row per (played_at, track_id), in canonical instants, partitioned by UTC date', () => {
    const result = playRows([
      played(t1, '2026-03-01T10:00:00Z'),
      played(t1, '2026-03-01T11:00:00.000+01:00'),
      played(t2, '2026-03-01T10:00:00.000Z'),
      played(t1, '2026-03-01T23:30:00-02:00'),
      played(t1, '2026-03-01T10:00:00.001Z'),
    ]);
    expect(result.records.map((r) => [r.played_at, r.track_id, r.played_date])).toEqual([
      ['2026-03-01T10:00:00.000Z', 't1', '2026-03-01'],
      ['2026-03-01T10:00:00.000Z', 't2', '2026-03-01'],
      ['2026-03-02T01:30:00.000Z', 't1', '2026-03-02'],
      ['2026-03-01T10:00:00.001Z', 't1', '2026-03-01'],
    ]);
    expect(result.skipped).toEqual({ ...emptySkipCounts(), duplicate: 1 });
    expect(result.itemsSeen).toBe(5);
  });

  it('skips unusable plays and counts each', () => {
    const result = playRows([
      played(t1, null),
      played(t1, 'yesterday'),
      played(domainTrack('t3', '', [['a1', 'Ann']]), '2026-03-01T10:00:00Z'),
      played(domainTrack('t4', 'No artists', []), '2026-03-01T10:00:00Z'),
      played(domainTrack(null, 'Gone', [['a1', 'Ann']]), '2026-03-01T10:00:00Z'),
      skip('episode'),
      skip('local_file'),
      skip('invalid'),
      played(t2, '2026-03-01T09:00:00Z'),
    ]);
    expect(result.records.map((r) => r.track_id)).toEqual(['t2']);
    expect(result.skipped).toEqual({
      ...emptySkipCounts(),
      invalid: 5,
      local_file: 1,
      episode: 1,
      unavailable: 1,
      duplicate: 0,
    });
    expect(result.itemsSeen).toBe(9);
  });

  it('reads plays from the recently-played payload, numbers bounded', () => {
    const read = recentlyPlayedAdapter.read(
      recentlyPlayedPayload([
        playHistory(
          track('t1', 'Fraction', [['a1', 'Ann']], { duration_ms: 1234.5 }),
          '2026-03-01T10:00:00Z',
          {
            type: 'album',
            uri: 'spotify:album:x',
          },
        ),
        playHistory(track('t2', 'Negative', [['a1', 'Ann']], { duration_ms: -5 }), '2026-03-01T11:00:00Z'),
        playHistory({ type: 'episode' }, '2026-03-01T12:00:00Z'),
      ]),
      source('me:recently-played'),
    );
    const { records, skipped, corrected } = playRows(entriesOf(read));
    expect(records.map((r) => [r.track_id, r.duration_ms, r.context_type, r.context_uri])).toEqual([
      ['t1', 1235, 'album', 'spotify:album:x'],
      ['t2', null, null, null],
    ]);
    expect(skipped.episode).toBe(1);
    expect(corrected).toEqual({ rounded: 1, out_of_range: 1, truncated: 0 });
  });

  it(`cuts a text longer than ${MAX_TEXT_CHARS} characters, never splitting a character, and counts it`, () => {
    const long = `${'é'.repeat(MAX_TEXT_CHARS - 1)}😀😀 tail`;
    const read = recentlyPlayedAdapter.read(
      recentlyPlayedPayload([
        playHistory(track('t1', long, [['a1', 'x'.repeat(5_000_000)]]), '2026-03-01T10:00:00Z'),
      ]),
      source('me:recently-played'),
    );
    const { records, corrected } = playRows(entriesOf(read));
    expect(Array.from(records[0]?.track_name ?? '')).toHaveLength(MAX_TEXT_CHARS);
    expect(records[0]?.track_name.endsWith('é😀')).toBe(true);
    expect(records[0]?.artist_names[0]).toHaveLength(MAX_TEXT_CHARS);
    expect(corrected.truncated).toBe(1);
    // Long only before control characters collapse: nothing is cut, nothing counted.
    const spaced = recentlyPlayedAdapter.read(
      recentlyPlayedPayload([
        playHistory(track('t2', `a${'\n'.repeat(5_000)}b`, [['a1', 'Ann']]), '2026-03-01T11:00:00Z'),
      ]),
      source('me:recently-played'),
    );
    const collapsed = playRows(entriesOf(spaced));
    expect(collapsed.records[0]?.track_name).toBe('a b');
    expect(collapsed.corrected.truncated).toBe(0);
  });
});

describe('mergePlays', () => {
  const at = (time: string, trackId: string, overrides: Partial<PlayRecord> = {}) =>
    playRecord({ played_at: `2026-03-01T${time}.000Z`, track_id: trackId, ...overrides });
  const merged = (existing: PlayRecord[], incoming: PlayRecord[]) => mergePlays(existing, incoming).plays;

  it('keeps every play once, sorted by end time then track id', () => {
    const existing = [at('10:00:00', 't1'), at('09:00:00', 't2')];
    const incoming = [at('10:00:00', 't1'), at('11:00:00', 't3'), at('10:00:00', 't0')];
    const result = mergePlays(existing, incoming);
    expect(result.plays.map(playKey)).toEqual([
      '2026-03-01T09:00:00.000Z|t2',
      '2026-03-01T10:00:00.000Z|t0',
      '2026-03-01T10:00:00.000Z|t1',
      '2026-03-01T11:00:00.000Z|t3',
    ]);
    expect(result.stats).toEqual({ added: 2, mergedWithApi: 0, alreadyPresent: 1 });
  });

  it('is idempotent: merging the same plays twice gives identical output', () => {
    const existing = [
      at('10:00:00', 't1'),
      exportedPlay({ played_at: '2026-03-01T09:00:03.000Z', track_id: 't2' }),
    ];
    const incoming = [at('11:00:00', 't3'), at('09:00:01', 't2'), at('10:00:00', 't1')];
    const once = merged(existing, incoming);
    expect(merged(once, incoming)).toEqual(once);
    expect(merged(once, once)).toEqual(once);
    expect(merged([], once)).toEqual(once);
    expect(mergePlays(once, incoming).stats).toEqual({ added: 0, mergedWithApi: 0, alreadyPresent: 3 });
    expect(renderCsv(RECENTLY_PLAYED, merged(once, incoming), on)).toBe(renderCsv(RECENTLY_PLAYED, once, on));
  });

  it('is idempotent through the day file: parse, merge the same plays again, render the same bytes', () => {
    const plays = [
      at('10:00:00', 't1', {
        artist_names: ['A, B', '=C'],
        artist_ids: ['a1', null],
        track_name: '-5 "live"',
      }),
      at('09:00:00', 't2', { album_name: null, duration_ms: null, explicit: true }),
      exportedPlay({ played_at: '2026-03-01T08:00:00.000Z', track_id: 't3', platform: 'ios beta' }),
    ];
    const file = renderCsv(RECENTLY_PLAYED, merged([], plays), on);
    const existing = parseDatasetCsv(RECENTLY_PLAYED, file, on).map((row) => playRecordSchema.parse(row));
    expect(renderCsv(RECENTLY_PLAYED, merged(existing, plays), on)).toBe(file);
  });

  it("joins an API play and the export's report of it: the export's listening, the API's catalog", () => {
    const api = at('10:00:00.412'.slice(0, 8), 't1', { played_at: '2026-03-01T10:00:00.412Z' });
    const exported = exportedPlay({
      played_at: '2026-03-01T10:00:00.000Z',
      track_id: 't1',
      track_name: 'Song',
    });
    const joined = { ...api, ...pickListening(exported), played_at: exported.played_at };
    expect(merged([api], [exported])).toEqual([joined]);
    expect(merged([exported], [api])).toEqual([joined]);
    expect(merged([], [api, exported, api])).toEqual([joined]);
    expect(mergePlays([api], [exported]).stats).toEqual({ added: 0, mergedWithApi: 1, alreadyPresent: 0 });
    expect(mergePlays([joined], [exported]).stats).toEqual({ added: 0, mergedWithApi: 0, alreadyPresent: 1 });
    expect(mergePlays([joined], [api]).stats).toEqual({ added: 0, mergedWithApi: 0, alreadyPresent: 1 });
  });

  it(`joins within ${PLAY_MATCH_TOLERANCE_MS / 1000} s only, one to one, nearest first`, () => {
    const api = (time: string) => at(time, 't1', { played_at: `2026-03-01T${time}Z` });
    const exported = (time: string) => exportedPlay({ played_at: `2026-03-01T${time}Z`, track_id: 't1' });
    // 30 s apart: the same play; 31 s apart: two plays.
    expect(merged([api('10:00:30.000')], [exported('10:00:00.000')])).toHaveLength(1);
    expect(merged([api('10:00:31.000')], [exported('10:00:00.000')])).toHaveLength(2);
    // A track played twice in a row: each API play joins its own export play.
    const twice = merged(
      [api('10:03:20.900'), api('10:00:00.200')],
      [exported('10:00:00.000'), exported('10:03:20.000')],
    );
    expect(twice.map((play) => [play.played_at, play.source, play.album_id])).toEqual([
      ['2026-03-01T10:00:00.000Z', 'export', 'album1'],
      ['2026-03-01T10:03:20.000Z', 'export', 'album1'],
    ]);
    // A 5-second skip and a full play of the same track: the API play joins the nearer one.
    const skipThenPlay = merged(
      [api('10:03:05.500')],
      [exported('09:59:59.000'), exported('10:00:04.000'), exported('10:03:05.000')],
    );
    expect(skipThenPlay.filter((play) => play.album_id !== null).map((play) => play.played_at)).toEqual([
      '2026-03-01T10:03:05.000Z',
    ]);
    expect(skipThenPlay).toHaveLength(3);
    // Another track at the same time never joins.
    expect(merged([at('10:00:00', 't2')], [exported('10:00:00.000')])).toHaveLength(2);
  });

  it('keeps the first row of two from the same kind of source', () => {
    const first = at('10:00:00', 't1', { track_name: 'First' });
    const second = at('10:00:00', 't1', { track_name: 'Second' });
    expect(merged([first], [second])).toEqual([first]);
    const firstExport = exportedPlay({ track_name: 'First export' });
    const secondExport = exportedPlay({ track_name: 'Second export' });
    expect(merged([firstExport], [secondExport])).toEqual([firstExport]);
  });

  it('does not change its inputs', () => {
    const existing = [at('10:00:00', 't1'), at('09:00:00', 't2')];
    const incoming = [exportedPlay({ played_at: '2026-03-01T10:00:00.000Z', track_id: 't1' })];
    const before = JSON.stringify([existing, incoming]);
    mergePlays(existing, incoming);
    expect(JSON.stringify([existing, incoming])).toBe(before);
  });
});

/** The columns only an export fills. */
function pickListening(play: PlayRecord): Partial<PlayRecord> {
  const { source, ms_played, reason_start, reason_end, shuffle, skipped, offline, conn_country, platform } =
    play;
  return { source, ms_played, reason_start, reason_end, shuffle, skipped, offline, conn_country, platform };
}

describe('playsByDay', () => {
  it('groups plays by their played_date, in order of appearance', () => {
    const a = playRecord({ track_id: 'a', played_date: '2026-03-01' });
    const b = playRecord({ track_id: 'b', played_date: '2026-03-02' });
    const c = playRecord({ track_id: 'c', played_date: '2026-03-01' });
    expect(playsByDay([a, b, c])).toEqual(
      new Map([
        ['2026-03-01', [a, c]],
        ['2026-03-02', [b]],
      ]),
    );
    expect(playsByDay([])).toEqual(new Map());
  });
});
