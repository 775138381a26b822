import {
  parseSourceRef,
  playlistSource,
  isSourceRef,
  type SourceRef,
} from '../../functions/commons/domain/sources';
import type { AudioFeatures, SourceEntry } from '../../functions/commons/domain/tracks';
import { adapterFor, type ReadSource, type SourceAdapter } from '../../functions/sources';
import { playlistAdapter } from '../../functions/sources/playlist';
import { recentlyPlayedAdapter } from '../../functions/sources/recently-played';
import { topTracksAdapter } from '../../functions/sources/top-tracks';
import { enrichmentIds, toEnrichments, toEntry } from '../../functions/sources/wire';
import {
  domainTrack,
  page,
  playHistory,
  playlistPayload,
  recentlyPlayedPayload,
  topTracksPayload,
  track,
} from '../helpers/fixtures';

function source(raw: string): SourceRef {
  const parsed = parseSourceRef(raw);
  if (!isSourceRef(parsed)) throw new Error(parsed.problem);
  return parsed;
}

const PLAYLIST = playlistSource('playlist1');
const SHORT_TERM = source('me:top-tracks:short_term');
const RECENT = source('me:recently-played');

/** What an adapter read, or a test failure naming the problem. */
function read(adapter: SourceAdapter, payload: unknown, from: SourceRef): ReadSource {
  const result = adapter.read(payload, from);
  if ('problem' in result) throw new Error(`expected entries, got: ${result.problem}`);
  return result;
}

/** Entries as short labels: the track id of a track, `skip:<reason>` otherwise. */
const labels = (entries: readonly SourceEntry[]) =>
  entries.map((entry) => (entry.kind === 'track' ? entry.track.id : `skip:${entry.reason}`));

function trackOf(entry: SourceEntry | undefined) {
  if (entry?.kind !== 'track') throw new Error(`expected a track entry, got ${JSON.stringify(entry)}`);
  return entry;
}

describe('toEntry (wire track → domain)', () => {
  it('translates every field of a full track', () => {
    const wire = track('t1', 'One', [
      ['a1', 'Ann'],
      [null, 'Uncredited id'],
    ]);
    expect(toEntry({ ...wire, popularity: 87, explicit: true })).toEqual({
      kind: 'track',
      track: {
        id: 't1',
        name: 'One',
        artists: [
          { id: 'a1', name: 'Ann' },
          { id: null, name: 'Uncredited id' },
        ],
        album: {
          id: 'album-t1',
          name: 'Album of One',
          type: 'single',
          releaseDate: '2026-01',
          totalTracks: 1,
        },
        durationMs: 200_000,
        explicit: true,
        popularity: 87,
        isrc: 'ISRCt1',
        url: 'https://open.spotify.com/track/t1',
      },
      addedAt: null,
      playedAt: null,
      context: null,
    });
  });

  it('keeps fields Spotify leaves out or sends as null empty instead of inventing values', () => {
    const bare = {
      type: 'track',
      id: 't1',
      name: 'Bare',
      artists: [{ id: 'a1', name: 'Ann' }],
      album: { id: null, name: 'Album' },
      duration_ms: 1000,
      explicit: true,
    };
    expect(trackOf(toEntry(bare)).track).toEqual(
      domainTrack('t1', 'Bare', [['a1', 'Ann']], {
        album: { id: null, name: 'Album', type: null, releaseDate: null, totalTracks: null },
        durationMs: 1000,
        explicit: true,
        popularity: null,
        isrc: null,
        url: null,
      }),
    );
    const nulls = {
      ...bare,
      album: { id: 'al', name: 'A', album_type: null, release_date: null, total_tracks: null },
      popularity: null,
      external_ids: null,
      external_urls: { spotify: null },
    };
    expect(trackOf(toEntry(nulls)).track).toMatchObject({
      album: { id: 'al', name: 'A', type: null, releaseDate: null, totalTracks: null },
      popularity: null,
      isrc: null,
      url: null,
    });
  });

  it("keeps a track whose artist has no id field at all (every field is optional in Spotify's OpenAPI definition)", () => {
    const wire = {
      ...track('t1', 'One', [['a1', 'Ann']]),
      artists: [{ name: 'No id' }, { id: 'a1', name: 'Ann' }],
    };
    expect(trackOf(toEntry(wire)).track.artists).toEqual([
      { id: null, name: 'No id' },
      { id: 'a1', name: 'Ann' },
    ]);
  });

  it('carries the extras it is given', () => {
    const extras = {
      addedAt: '2026-02-01T00:00:00Z',
      playedAt: null,
      context: { type: 'album', uri: 'spotify:album:x' },
    };
    expect(toEntry(track('t1', 'One', [['a1', 'Ann']]), extras)).toMatchObject(extras);
  });

  it.each([
    ['null', null, 'null_item'],
    ['undefined', undefined, 'null_item'],
    ['an episode', { type: 'episode', id: 'e1', name: 'Podcast' }, 'episode'],
    ['a local file', track(null, 'demo.mp3', [[null, 'Me']], { is_local: true }), 'local_file'],
    ['a track without an album', { type: 'track', id: 't9', name: 'No album', artists: [] }, 'invalid'],
    ['a track whose name is not a string', track('t1', 'x', [], { name: 5 }), 'invalid'],
    ['a track with a string duration', track('t1', 'x', [['a', 'A']], { duration_ms: '200000' }), 'invalid'],
    ['an artist without a name', track('t1', 'x', [], { artists: [{ id: 'a1' }] }), 'invalid'],
    ['an unknown type', { ...track('t1', 'x', [['a', 'A']]), type: 'audiobook' }, 'invalid'],
    ['a string', 'spotify:track:t1', 'invalid'],
    ['a number', 42, 'invalid'],
    ['an array', [track('t1', 'x', [['a', 'A']])], 'invalid'],
  ])('skips %s', (_label, payload, reason) => {
    expect(toEntry(payload)).toEqual({ kind: 'skip', reason });
  });

  it('skips an entry its container marks local, whatever it holds', () => {
    expect(toEntry(track('t1', 'One', [['a1', 'Ann']]), undefined, true)).toEqual({
      kind: 'skip',
      reason: 'local_file',
    });
  });
});

describe('number bounds', () => {
  const read1 = (extra: Record<string, unknown>) =>
    trackOf(toEntry(track('t1', 'One', [['a1', 'Ann']], extra))).track;

  it.each([
    [1234.5, 1235],
    [1234.4, 1234],
    [0, 0],
    [-5, null],
    [24 * 3600 * 1000, 24 * 3600 * 1000],
    [24 * 3600 * 1000 + 1, null],
    [1e300, null],
  ])('duration_ms %p → %p', (value, expected) => {
    expect(read1({ duration_ms: value }).durationMs).toBe(expected);
  });

  it.each([
    [0, 0],
    [100, 100],
    [99.6, 100],
    [101, null],
    [-1, null],
    [null, null],
  ])('popularity %p → %p', (value, expected) => {
    expect(read1({ popularity: value }).popularity).toBe(expected);
  });

  // BUG: album.total_tracks is passed through unchecked (functions/sources/wire.ts, toTrack:
  // `totalTracks: track.album.total_tracks ?? null`), unlike duration_ms and popularity. A
  // fractional or negative value reaches album_total_tracks, whose schema is z.int(), so
  // transformSource fails the whole source with "Transform built rows that do not match the
  // top_tracks schema ... this is a bug". Fix: `totalTracks: wholeNumberIn(track.album.total_tracks
  // ?? null, 0, <a bound such as 10_000>)`.
  it('rounds album.total_tracks and empties an out-of-range count', () => {
    const album = (total: number) => ({ id: 'al', name: 'A', total_tracks: total });
    expect(read1({ album: album(11.6) }).album.totalTracks).toBe(12);
    expect(read1({ album: album(-1) }).album.totalTracks).toBeNull();
  });
});

describe('playlist adapter', () => {
  it('reads legacy `track` entries across pages, with the playlist name and added_at', () => {
    const payload = playlistPayload({
      itemPages: [
        page([{ added_at: '2026-02-01T00:00:00Z', track: track('t1', 'One', [['a1', 'Ann']]) }], 'next-page'),
        page([{ added_at: null, track: track('t2', 'Two', [['a2', 'Bob']]) }]),
      ],
    });
    const result = read(playlistAdapter, payload, PLAYLIST);
    expect(result.sourceName).toBe('Top 50 - Test');
    expect(labels(result.entries)).toEqual(['t1', 't2']);
    expect(trackOf(result.entries[0]).addedAt).toBe('2026-02-01T00:00:00Z');
    expect(trackOf(result.entries[1]).addedAt).toBeNull();
    expect(result.enrichments).toEqual({
      genresByArtist: new Map(),
      featuresByTrack: new Map(),
      unavailable: [],
    });
  });

  it('reads the 2026 `item` field, and prefers it when both are present', () => {
    const payload = playlistPayload({
      itemsPath: 'items',
      itemPages: [
        page([
          { added_at: '2026-02-02T00:00:00Z', item: track('t1', 'New shape', [['a1', 'Ann']]) },
          { item: track('t2', 'Both', [['a1', 'Ann']]), track: track('t3', 'Legacy', [['a1', 'Ann']]) },
          { item: null, track: track('t4', 'Legacy only', [['a1', 'Ann']]) },
        ]),
      ],
    });
    const result = read(playlistAdapter, payload, PLAYLIST);
    expect(labels(result.entries)).toEqual(['t1', 't2', 't4']);
    expect(trackOf(result.entries[0]).track.name).toBe('New shape');
  });

  it('turns odd entries into counted skips, one entry per position', () => {
    const payload = playlistPayload({
      itemPages: [
        page([
          { track: track('t1', 'Kept', [['a1', 'Ann']]) },
          null,
          { track: null },
          {},
          { is_local: true, track: track(null, 'My demo.mp3', [[null, 'Me']], { is_local: true }) },
          { is_local: true, track: track('t5', 'Marked local', [['a1', 'Ann']]) },
          { track: { type: 'episode', id: 'e1' } },
          { item: { type: 'episode' } },
          { track: { type: 'track', id: 't9', name: 'No artists or album' } },
          { added_at: 12345, track: track('t10', 'Bad added_at', [['a1', 'Ann']]) },
          'not an entry',
          7,
          { track: track('t2', 'Also kept', [['a2', 'Bob']]) },
        ]),
      ],
    });
    expect(labels(read(playlistAdapter, payload, PLAYLIST).entries)).toEqual([
      't1',
      'skip:null_item',
      'skip:null_item',
      'skip:null_item',
      'skip:local_file',
      'skip:local_file',
      'skip:episode',
      'skip:episode',
      'skip:invalid',
      'skip:invalid',
      'skip:invalid',
      'skip:invalid',
      't2',
    ]);
  });

  it('leaves usability (ids, names, duplicates) to the datasets', () => {
    const payload = playlistPayload({
      itemPages: [
        page([
          { track: track(null, 'Gone', [['a1', 'Ann']]) },
          { track: track('t1', '', [['a1', 'Ann']]) },
          { track: track('t1', 'Again', []) },
        ]),
      ],
    });
    expect(labels(read(playlistAdapter, payload, PLAYLIST).entries)).toEqual([null, 't1', 't1']);
  });

  it('reads genres and audio features, leaving out only the elements that do not match their schema', () => {
    const payload = playlistPayload({
      itemPages: [page([{ track: track('t1', 'One', [['a1', 'Ann']]) }])],
      artists: {
        status: 'ok',
        responses: [
          {
            artists: [
              { id: 'a1', name: 'Ann', genres: ['pop', 'k-pop'] },
              { id: 'a2', genres: ['no name'] },
              { name: 'No id', genres: ['x'] },
              { id: 'a3', name: 'Thin' },
              { id: 'a4', name: 'Bad genres', genres: 'rock' },
              null,
            ],
          },
          { artists: [{ id: 'a5', name: 'Second response', genres: ['edm'] }] },
        ],
      },
      audioFeatures: {
        status: 'ok',
        responses: [
          {
            audio_features: [
              { id: 't1', danceability: 0.7, tempo: 121.5 },
              { danceability: 0.1 },
              null,
              { id: 't3', energy: 'loud' },
              { id: 't4', energy: null },
            ],
          },
        ],
      },
    });
    const { enrichments } = read(playlistAdapter, payload, PLAYLIST);
    expect(enrichments.genresByArtist).toEqual(
      new Map([
        ['a1', ['pop', 'k-pop']],
        ['a3', []],
        ['a5', ['edm']],
      ]),
    );
    const none = {
      danceability: null,
      energy: null,
      speechiness: null,
      acousticness: null,
      instrumentalness: null,
      liveness: null,
      valence: null,
      tempo: null,
    };
    expect(enrichments.featuresByTrack).toEqual(
      new Map<string, AudioFeatures>([
        ['t1', { ...none, danceability: 0.7, tempo: 121.5 }],
        ['t4', none],
      ]),
    );
    expect(enrichments.unavailable).toEqual([]);
  });

  it('names the enrichments Spotify refused', () => {
    const payload = playlistPayload({
      artists: { status: 'unavailable', httpStatus: 404, reason: 'Service not found' },
      audioFeatures: { status: 'unavailable', httpStatus: 403, reason: 'Forbidden' },
    });
    expect(read(playlistAdapter, payload, PLAYLIST).enrichments).toEqual({
      genresByArtist: new Map(),
      featuresByTrack: new Map(),
      unavailable: ['artists (HTTP 404)', 'audio_features (HTTP 403)'],
    });
  });

  it.each([
    ['nothing', undefined, '✖ Invalid input: expected object, received undefined'],
    [
      'an unknown items path',
      { ...playlistPayload(), itemsPath: 'entries' },
      '✖ Invalid option: expected one of "items"|"tracks"\n  → at itemsPath',
    ],
    [
      'a page without items',
      playlistPayload({ itemPages: [{ next: null, total: 0 }] }),
      '✖ Invalid input: expected array, received undefined\n  → at itemPages[0].items',
    ],
    [
      'an enrichment of unknown status',
      { ...playlistPayload(), artists: { status: 'maybe' } },
      "✖ Invalid discriminator value. Expected 'ok' | 'unavailable' | 'not_needed'\n  → at artists.status",
    ],
  ])('reports %s as a problem, not an exception', (_label, payload, problem) => {
    expect(playlistAdapter.read(payload, PLAYLIST)).toEqual({ problem });
  });

  it('keeps a long problem description to 300 characters', () => {
    const result = playlistAdapter.read({}, PLAYLIST);
    const problem = 'problem' in result ? result.problem : '';
    expect(problem).toHaveLength(300);
    expect(
      problem.startsWith('✖ Invalid input: expected object, received undefined\n  → at playlist\n'),
    ).toBe(true);
  });
});

describe('top-tracks adapter', () => {
  it.each([
    ['me:top-tracks:short_term', 'Your top tracks, last 4 weeks'],
    ['me:top-tracks:medium_term', 'Your top tracks, last 6 months'],
    ['me:top-tracks:long_term', 'Your top tracks, last 12 months'],
  ])('names %s "%s"', (ref, name) => {
    expect(read(topTracksAdapter, topTracksPayload([]), source(ref)).sourceName).toBe(name);
  });

  it('reads one entry per ranked position, odd ones as counted skips', () => {
    const payload = topTracksPayload([
      track('t1', 'One', [['a1', 'Ann']]),
      null,
      { type: 'episode' },
      track(null, 'demo', [[null, 'Me']], { is_local: true }),
      { id: 't5', name: 'Thin' },
      track('t2', 'Two', [['a2', 'Bob']]),
    ]);
    const result = read(topTracksAdapter, payload, SHORT_TERM);
    expect(labels(result.entries)).toEqual([
      't1',
      'skip:null_item',
      'skip:episode',
      'skip:local_file',
      'skip:invalid',
      't2',
    ]);
    expect(trackOf(result.entries[0])).toMatchObject({ addedAt: null, playedAt: null, context: null });
  });

  it('reads its enrichments like a playlist’s', () => {
    const payload = topTracksPayload([track('t1', 'One', [['a1', 'Ann']])], {
      artists: { status: 'ok', responses: [{ artists: [{ id: 'a1', name: 'Ann', genres: ['pop'] }, {}] }] },
      audioFeatures: { status: 'unavailable', httpStatus: 403, reason: 'Forbidden' },
    });
    const { enrichments } = read(topTracksAdapter, payload, SHORT_TERM);
    expect(enrichments.genresByArtist).toEqual(new Map([['a1', ['pop']]]));
    expect(enrichments.featuresByTrack).toEqual(new Map());
    expect(enrichments.unavailable).toEqual(['audio_features (HTTP 403)']);
  });

  it('reports a playlist payload as a problem', () => {
    expect(topTracksAdapter.read(playlistPayload(), SHORT_TERM)).toEqual({
      problem:
        '✖ Invalid input: expected string, received undefined\n  → at timeRange\n' +
        '✖ Invalid input: expected array, received undefined\n  → at pages',
    });
  });
});

describe('recently-played adapter', () => {
  it('reads each play with when it ended and what it was started from', () => {
    const payload = recentlyPlayedPayload(
      [
        playHistory(track('t1', 'One', [['a1', 'Ann']]), '2026-03-01T10:00:00.000Z', {
          type: 'playlist',
          uri: 'spotify:playlist:p1',
        }),
        playHistory(track('t2', 'Two', [['a2', 'Bob']]), '2026-03-01T09:00:00Z'),
        { track: track('t3', 'Three', [['a3', 'Cy']]), played_at: '2026-03-01T08:00:00Z' },
        playHistory(track('t4', 'Four', [['a4', 'Di']]), '2026-03-01T07:00:00Z', { type: 'album' }),
      ],
      1_700_000_000_000,
    );
    const result = read(recentlyPlayedAdapter, payload, RECENT);
    expect(result.sourceName).toBe('Your recently played tracks');
    expect(result.enrichments).toEqual({
      genresByArtist: new Map(),
      featuresByTrack: new Map(),
      unavailable: [],
    });
    expect(
      result.entries.map((entry) =>
        entry.kind === 'track' ? [entry.track.id, entry.playedAt, entry.context] : entry,
      ),
    ).toEqual([
      ['t1', '2026-03-01T10:00:00.000Z', { type: 'playlist', uri: 'spotify:playlist:p1' }],
      ['t2', '2026-03-01T09:00:00Z', null],
      ['t3', '2026-03-01T08:00:00Z', null],
      ['t4', '2026-03-01T07:00:00Z', { type: 'album', uri: null }],
    ]);
    expect(trackOf(result.entries[0]).addedAt).toBeNull();
  });

  it('skips episodes, local files and malformed plays, counting each', () => {
    const payload = recentlyPlayedPayload([
      playHistory({ type: 'episode', id: 'e1', name: 'Podcast' }, '2026-03-01T10:00:00Z'),
      { track: { type: 'episode', id: 'e2' } },
      playHistory(track(null, 'demo.mp3', [[null, 'Me']], { is_local: true }), '2026-03-01T09:00:00Z'),
      { track: track('t1', 'No played_at', [['a1', 'Ann']]) },
      { track: track('t2', 'Bad time', [['a1', 'Ann']]), played_at: 12345 },
      playHistory({ type: 'track', id: 't3' }, '2026-03-01T08:00:00Z'),
      {
        track: track('t4', 'Bad context', [['a1', 'Ann']]),
        played_at: '2026-03-01T07:00:00Z',
        context: 'album',
      },
      'not a play',
      playHistory(track('t5', 'Kept', [['a5', 'Eve']]), '2026-03-01T06:00:00Z'),
    ]);
    expect(labels(read(recentlyPlayedAdapter, payload, RECENT).entries)).toEqual([
      'skip:episode',
      'skip:episode',
      'skip:local_file',
      'skip:invalid',
      'skip:invalid',
      'skip:invalid',
      'skip:invalid',
      'skip:invalid',
      't5',
    ]);
  });

  // BUG (minor): a null element of the recently-played items is counted as `invalid`, while the
  // playlist and top-tracks adapters count a null position as `null_item` (functions/sources/
  // recently-played.ts, entriesOf: the `!parsed.success` branch). Fix: before safeParse,
  // `if (raw === null) return { kind: 'skip', reason: 'null_item' };` (and likewise for
  // `{ track: null }`).
  it('counts a null play as null_item, like the other adapters', () => {
    const payload = recentlyPlayedPayload([null]);
    expect(labels(read(recentlyPlayedAdapter, payload, RECENT).entries)).toEqual(['skip:null_item']);
  });

  it.each([
    ['no pages', { afterMs: null }, '✖ Invalid input: expected array, received undefined\n  → at pages'],
    [
      'no cursor field',
      { pages: [] },
      '✖ Invalid input: expected number, received undefined\n  → at afterMs',
    ],
  ])('reports %s as a problem', (_label, payload, problem) => {
    expect(recentlyPlayedAdapter.read(payload, RECENT)).toEqual({ problem });
  });
});

describe('adapterFor', () => {
  it('picks the adapter of each kind', () => {
    expect(adapterFor('playlist')).toBe(playlistAdapter);
    expect(adapterFor('top_tracks')).toBe(topTracksAdapter);
    expect(adapterFor('recently_played')).toBe(recentlyPlayedAdapter);
  });
});

describe('enrichmentIds', () => {
  it('lists each track and credited artist id once, in order, ignoring skips and null ids', () => {
    const entries: SourceEntry[] = [
      {
        kind: 'track',
        track: domainTrack('t1', 'One', [
          ['a1', 'Ann'],
          [null, 'X'],
          ['a2', 'Bob'],
        ]),
        addedAt: null,
        playedAt: null,
        context: null,
      },
      { kind: 'skip', reason: 'null_item' },
      {
        kind: 'track',
        track: domainTrack(null, 'Gone', [['a3', 'Cy']]),
        addedAt: null,
        playedAt: null,
        context: null,
      },
      {
        kind: 'track',
        track: domainTrack('t1', 'One again', [['a2', 'Bob']]),
        addedAt: null,
        playedAt: null,
        context: null,
      },
      {
        kind: 'track',
        track: domainTrack('t2', 'Two', [['a1', 'Ann']]),
        addedAt: null,
        playedAt: null,
        context: null,
      },
    ];
    expect(enrichmentIds(entries)).toEqual({ trackIds: ['t1', 't2'], artistIds: ['a1', 'a2', 'a3'] });
  });
});

describe('toEnrichments', () => {
  it('is empty when nothing was needed', () => {
    expect(toEnrichments({ status: 'not_needed' }, { status: 'not_needed' })).toEqual({
      genresByArtist: new Map(),
      featuresByTrack: new Map(),
      unavailable: [],
    });
  });

  it('keeps the last answer for an artist listed twice', () => {
    const artists = {
      status: 'ok' as const,
      responses: [
        { artists: [{ id: 'a1', name: 'Ann', genres: ['old'] }] },
        { artists: [{ id: 'a1', name: 'Ann', genres: ['new'] }] },
      ],
    };
    expect(toEnrichments(artists, { status: 'not_needed' }).genresByArtist).toEqual(
      new Map([['a1', ['new']]]),
    );
  });
});
