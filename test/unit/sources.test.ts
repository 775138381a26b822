import {
  isSourceRef,
  needsUser,
  parseSourceRef,
  playlistSource,
  splitSourceList,
  uniqueSources,
  type SourceRef,
} from '../../functions/commons/domain/sources';

const ID = '37i9dQZEVXbMDoHDwVN2tF';

/** The parsed reference, or a test failure naming the problem. */
function parsed(raw: string): SourceRef {
  const result = parseSourceRef(raw);
  if (!isSourceRef(result)) throw new Error(`expected a source reference, got: ${result.problem}`);
  return result;
}

describe('parseSourceRef: playlists', () => {
  it('normalizes a playlist to its ref, slug, dataset and scopes', () => {
    expect(parseSourceRef(`playlist:${ID}`)).toEqual({
      ref: `playlist:${ID}`,
      kind: 'playlist',
      slug: `playlist-${ID}`,
      dataset: 'top_tracks',
      scopes: ['playlist-read-private', 'playlist-read-collaborative'],
      playlistId: ID,
    });
    expect(playlistSource(ID)).toEqual(parsed(`playlist:${ID}`));
  });

  it.each([
    ['the normalized form', `playlist:${ID}`],
    ['a bare id', ID],
    ['surrounding whitespace', `  playlist:${ID}\t`],
    ['a bare id with whitespace', ` ${ID} `],
    ['a Spotify URI', `spotify:playlist:${ID}`],
    ['a link', `https://open.spotify.com/playlist/${ID}`],
    ['a shared link with a query', `https://open.spotify.com/playlist/${ID}?si=0a1b2c3d&pt=xyz`],
    ['a link with a trailing slash', `https://open.spotify.com/playlist/${ID}/`],
    ['a link with a fragment', `https://open.spotify.com/playlist/${ID}#top`],
    ['a localized link', `https://open.spotify.com/intl-de/playlist/${ID}`],
    ['a localized link with a region', `https://open.spotify.com/intl-pt-br/playlist/${ID}`],
    ['an http link', `http://open.spotify.com/playlist/${ID}`],
    ['a link with an upper-case host', `https://OPEN.SPOTIFY.COM/playlist/${ID}`],
    ['a one-character id', 'playlist:a'],
  ])('accepts %s', (_label, raw) => {
    const expected = raw === 'playlist:a' ? 'a' : ID;
    expect(parsed(raw)).toMatchObject({ ref: `playlist:${expected}`, playlistId: expected });
  });

  it('accepts ids of up to 64 base-62 characters', () => {
    const longest = 'A1'.repeat(32);
    expect(parsed(`playlist:${longest}`).playlistId).toBe(longest);
    expect(parsed(longest).playlistId).toBe(longest);
  });

  it.each([
    ['playlist:', '"playlist:" does not hold a Spotify playlist id (base-62 letters and digits)'],
    [
      'playlist:abc-def',
      '"playlist:abc-def" does not hold a Spotify playlist id (base-62 letters and digits)',
    ],
    ['playlist: abc', '"playlist: abc" does not hold a Spotify playlist id (base-62 letters and digits)'],
    [
      'playlist:abc?si=1',
      '"playlist:abc?si=1" does not hold a Spotify playlist id (base-62 letters and digits)',
    ],
    [
      `playlist:${'a'.repeat(65)}`,
      `"playlist:${'a'.repeat(65)}" does not hold a Spotify playlist id (base-62 letters and digits)`,
    ],
    [
      'spotify:playlist:ab cd',
      '"spotify:playlist:ab cd" does not hold a Spotify playlist id (base-62 letters and digits)',
    ],
    [
      'playlist:spotify:playlist:abc',
      '"playlist:spotify:playlist:abc" does not hold a Spotify playlist id (base-62 letters and digits)',
    ],
    [
      'https://open.spotify.com/playlist/ab_cd',
      '"https://open.spotify.com/playlist/ab_cd" does not hold a Spotify playlist id (base-62 letters and digits)',
    ],
    [
      'https://open.spotify.com/playlist/%41bc',
      '"https://open.spotify.com/playlist/%41bc" does not hold a Spotify playlist id (base-62 letters and digits)',
    ],
    [' playlist:x-y ', '" playlist:x-y " does not hold a Spotify playlist id (base-62 letters and digits)'],
  ])('rejects %j: no valid id', (raw, problem) => {
    expect(parseSourceRef(raw)).toEqual({ problem });
  });

  it.each([
    'https://open.spotify.com/album/abc',
    'https://open.spotify.com/playlist/',
    'https://open.spotify.com/playlist/abc/tracks',
    'https://open.spotify.com/user/bob/playlist/abc',
    'https://evil.example/playlist/abc',
    'https://open.spotify.com.evil.example/playlist/abc',
    'https://play.spotify.com/playlist/abc',
    'https://',
  ])('rejects %j: not a playlist link', (raw) => {
    expect(parseSourceRef(raw)).toEqual({ problem: `"${raw}" is not an open.spotify.com/playlist/ link` });
  });
});

describe('parseSourceRef: the user’s own data', () => {
  it.each(['short_term', 'medium_term', 'long_term'] as const)('accepts me:top-tracks:%s', (range) => {
    expect(parseSourceRef(`me:top-tracks:${range}`)).toEqual({
      ref: `me:top-tracks:${range}`,
      kind: 'top_tracks',
      slug: `me-top-tracks-${range}`,
      dataset: 'top_tracks',
      scopes: ['user-top-read'],
      timeRange: range,
    });
  });

  it('accepts me:recently-played, with or without surrounding whitespace', () => {
    const expected = {
      ref: 'me:recently-played',
      kind: 'recently_played',
      slug: 'me-recently-played',
      dataset: 'recently_played',
      scopes: ['user-read-recently-played'],
    };
    expect(parseSourceRef('me:recently-played')).toEqual(expected);
    expect(parseSourceRef('  me:recently-played \n')).toEqual(expected);
  });

  it.each([
    'me:top-tracks:weekly',
    'me:top-tracks:',
    'me:top-tracks:SHORT_TERM',
    'me:top-tracks:short_term:x',
  ])('rejects %j, naming the time ranges', (raw) => {
    expect(parseSourceRef(raw)).toEqual({
      problem: `"${raw}": the time range must be one of short_term, medium_term, long_term`,
    });
  });

  it.each([
    '',
    ' ',
    'me:recently_played',
    'me:top-tracks',
    'me:saved-tracks',
    'ME:RECENTLY-PLAYED',
    'PLAYLIST:abc',
    'Playlist:abc',
    'spotify:user:bob:playlist:abc',
    'spotify:album:abc',
    'ftp://open.spotify.com/playlist/abc',
    'open.spotify.com/playlist/abc',
    'abc,def',
    'a'.repeat(65),
    'not an id!',
  ])('rejects %j as not a source reference', (raw) => {
    expect(parseSourceRef(raw)).toEqual({ problem: `"${raw}" is not a source reference` });
  });
});

describe('isSourceRef / needsUser', () => {
  it('tells references from problems', () => {
    expect(isSourceRef(parseSourceRef('abc'))).toBe(true);
    expect(isSourceRef(parseSourceRef('abc!'))).toBe(false);
  });

  it('needs a user for the user’s own data only', () => {
    expect(needsUser(parsed('abc'))).toBe(false);
    expect(needsUser(parsed('me:top-tracks:long_term'))).toBe(true);
    expect(needsUser(parsed('me:recently-played'))).toBe(true);
  });
});

describe('splitSourceList', () => {
  it('splits on commas, trims, and drops empty parts, in order', () => {
    expect(splitSourceList(' abc , ,me:recently-played,,\tme:top-tracks:long_term ,')).toEqual([
      'abc',
      'me:recently-played',
      'me:top-tracks:long_term',
    ]);
  });

  it('returns nothing for an empty or blank list', () => {
    expect(splitSourceList('')).toEqual([]);
    expect(splitSourceList(' , ,')).toEqual([]);
  });

  it('keeps repeated parts (de-duplication is done on normalized references)', () => {
    expect(splitSourceList('abc,abc')).toEqual(['abc', 'abc']);
  });

  it('does not split links on anything but commas', () => {
    expect(splitSourceList(`https://open.spotify.com/playlist/${ID}?si=a;b`)).toEqual([
      `https://open.spotify.com/playlist/${ID}?si=a;b`,
    ]);
  });
});

describe('uniqueSources', () => {
  it('keeps the first of every spelling of one source, in order', () => {
    const sources = [
      ID,
      'me:recently-played',
      `playlist:${ID}`,
      `spotify:playlist:${ID}`,
      `https://open.spotify.com/intl-fr/playlist/${ID}?si=1`,
      'other',
      ' me:recently-played ',
    ].map(parsed);
    expect(uniqueSources(sources).map((source) => source.ref)).toEqual([
      `playlist:${ID}`,
      'me:recently-played',
      'playlist:other',
    ]);
  });

  it('tells ids apart by case (base-62 ids are case-sensitive)', () => {
    expect(uniqueSources([parsed('abc'), parsed('ABC')]).map((source) => source.ref)).toEqual([
      'playlist:abc',
      'playlist:ABC',
    ]);
  });

  it('returns an empty list for no sources', () => {
    expect(uniqueSources([])).toEqual([]);
  });
});
