import { configuredSources, DEFAULT_SOURCES } from '../../functions/commons/config';
import {
  MAX_SOURCES_PER_RUN,
  parseSources,
  planRun,
  type PlanDefaults,
} from '../../functions/commons/domain/run';
import { isSnapshotDate } from '../../functions/commons/domain/snapshot-date';
import { SOURCE_REFERENCE_HELP } from '../../functions/commons/domain/sources';
import { ConfigurationError, InvalidInputError } from '../../functions/commons/errors';

const execution = { name: 'daily-run/2026 03 01', startTime: '2026-03-01T23:59:59.000Z' };
const userToken = (refs: string[] = ['p1', 'p2']): PlanDefaults => ({
  sources: parseSources(refs, 'test defaults'),
  authMode: 'user_token',
});
const appToken = (refs: string[] = ['p1', 'p2']): PlanDefaults => ({
  sources: parseSources(refs, 'test defaults'),
  authMode: 'client_credentials',
});

/** What JSON.parse makes of a `__proto__` key: an own property, not the prototype. */
const PROTO_INPUT: unknown = JSON.parse('{"__proto__": {"sources": ["abc"]}}');

const HINT =
  'Expected { "sources"?: ["playlist:<id>" | "me:top-tracks:short_term" | "me:recently-played", ...], ' +
  '"snapshotDate"?: "<today, UTC>", "replay"?: { "from": "YYYY-MM-DD", "to"?: "YYYY-MM-DD" }, ' +
  '"import"?: { "prefix": "inbox/<folder>/", "includeIncognito"?: false } }; every field is optional.';
const NO_SOURCES = `Invalid execution input: no sources to run. ${SOURCE_REFERENCE_HELP}`;

const refsOf = (input: unknown, defaults: PlanDefaults = userToken()) =>
  planRun({ input, execution }, defaults).sources.map((source) => source.ref);

/** The InvalidInputError a plan throws, or a test failure. */
function planError(event: unknown, defaults: PlanDefaults = userToken()): InvalidInputError {
  try {
    planRun(event, defaults);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected planRun to throw');
}
const inputError = (input: unknown, defaults?: PlanDefaults) => planError({ input, execution }, defaults);

describe('planRun: defaults', () => {
  it('labels the run with the UTC date of the execution start and runs the configured sources', () => {
    expect(planRun({ input: {}, execution }, userToken())).toEqual({
      run: {
        snapshotDate: '2026-03-01',
        runId: 'daily-run-2026-03-01',
        startedAt: '2026-03-01T23:59:59.000Z',
      },
      sources: [
        {
          ref: 'playlist:p1',
          kind: 'playlist',
          slug: 'playlist-p1',
          dataset: 'top_tracks',
          scopes: ['playlist-read-private', 'playlist-read-collaborative'],
          playlistId: 'p1',
        },
        {
          ref: 'playlist:p2',
          kind: 'playlist',
          slug: 'playlist-p2',
          dataset: 'top_tracks',
          scopes: ['playlist-read-private', 'playlist-read-collaborative'],
          playlistId: 'p2',
        },
      ],
    });
  });

  it.each([
    ['no input', undefined],
    ['a null input', null],
    ['an empty object', {}],
    ["the console's pre-filled Comment", { Comment: 'Insert your JSON here' }],
  ])('uses the defaults for %s', (_label, input) => {
    expect(refsOf(input)).toEqual(['playlist:p1', 'playlist:p2']);
  });

  it('de-duplicates the defaults too', () => {
    const defaults: PlanDefaults = {
      sources: [...userToken().sources, ...userToken().sources],
      authMode: 'user_token',
    };
    expect(refsOf({}, defaults)).toEqual(['playlist:p1', 'playlist:p2']);
  });

  it('fails when neither the input nor the configuration names a source', () => {
    expect(inputError({}, userToken([])).message).toBe(NO_SOURCES);
  });
});

describe('planRun: sources from the input', () => {
  it('takes an array of references instead of the defaults, normalized and without duplicates', () => {
    expect(
      refsOf({
        sources: [
          'abc',
          'playlist:abc',
          'https://open.spotify.com/playlist/abc?si=1',
          ' me:top-tracks:long_term ',
          'me:recently-played',
          'spotify:playlist:def',
        ],
      }),
    ).toEqual(['playlist:abc', 'me:top-tracks:long_term', 'me:recently-played', 'playlist:def']);
  });

  it('takes a comma-separated string', () => {
    expect(refsOf({ sources: ' abc , me:recently-played,,abc,' })).toEqual([
      'playlist:abc',
      'me:recently-played',
    ]);
  });

  it('takes the 0.1 playlistIds alias, each id a playlist', () => {
    expect(refsOf({ playlistIds: ['abc', 'abc', 'def'] })).toEqual(['playlist:abc', 'playlist:def']);
  });

  it('joins sources and playlistIds, sources first, without duplicates', () => {
    expect(refsOf({ sources: 'def,me:recently-played', playlistIds: ['abc', 'def'] })).toEqual([
      'playlist:def',
      'me:recently-played',
      'playlist:abc',
    ]);
  });

  it.each([
    ['an empty sources array', { sources: [] }],
    ['an empty sources string', { sources: '' }],
    ['a sources string of commas', { sources: ' , ,' }],
    ['an empty playlistIds array', { playlistIds: [] }],
  ])('refuses %s instead of falling back to the defaults', (_label, input) => {
    expect(inputError(input).message).toBe(NO_SOURCES);
  });

  it('reports every bad reference at once, with the help text', () => {
    expect(inputError({ sources: ['abc', 'not an id!', 'me:top-tracks:weekly'] }).message).toBe(
      'Invalid execution input "sources": "not an id!" is not a source reference; "me:top-tracks:weekly": the ' +
        `time range must be one of short_term, medium_term, long_term. ${SOURCE_REFERENCE_HELP}`,
    );
  });

  it('names the playlistIds field when an alias id is bad', () => {
    expect(inputError({ playlistIds: ['ok', 'no-way'] }).message).toBe(
      'Invalid execution input "playlistIds": "no-way" is not a source reference. ' + SOURCE_REFERENCE_HELP,
    );
  });

  it('accepts any source through the playlistIds alias, not only playlists', () => {
    // The alias goes through the same parser, so it accepts every reference form.
    expect(refsOf({ playlistIds: ['me:recently-played'] })).toEqual(['me:recently-played']);
  });
});

describe('planRun: dates', () => {
  it('accepts the execution’s own UTC date', () => {
    expect(planRun({ input: { snapshotDate: '2026-03-01' }, execution }, userToken()).run.snapshotDate).toBe(
      '2026-03-01',
    );
  });

  it.each(['2026-02-28', '2026-03-02', '2026-3-1', '01/03/2026', '2026-03-01T00:00:00Z', '', 'today'])(
    'refuses snapshotDate %j, naming the execution’s date',
    (snapshotDate) => {
      expect(inputError({ snapshotDate }).message).toBe(
        `Invalid execution input: snapshotDate "${snapshotDate}" is not the execution's own UTC date (2026-03-01). ` +
          'Spotify only tells what it says now, so a run is always labelled with the day it ran; leave snapshotDate ' +
          'out (or give today). To rebuild past dates from the raw archive, use a replay (see README).',
      );
    },
  );

  it('takes the UTC date of a start time written with an offset, and normalizes the instant', () => {
    const plan = planRun(
      { input: {}, execution: { name: 'late', startTime: '2026-03-02T00:30:00+01:00' } },
      userToken(),
    );
    expect(plan.run).toEqual({
      snapshotDate: '2026-03-01',
      runId: 'late',
      startedAt: '2026-03-01T23:30:00.000Z',
    });
  });

  it('labels a run that starts at midnight UTC with the new day', () => {
    const plan = planRun(
      { input: {}, execution: { name: 'x', startTime: '2026-03-02T00:00:00.000Z' } },
      userToken(),
    );
    expect(plan.run.snapshotDate).toBe('2026-03-02');
  });

  it('refuses an unreadable start time', () => {
    const error = planError({ input: {}, execution: { name: 'x', startTime: 'yesterday' } });
    expect(error.message).toBe('Invalid execution start time "yesterday".');
  });
});

describe('planRun: run id', () => {
  it('keeps key-safe characters of the execution name, at most 80', () => {
    const name = `${'a'.repeat(70)}:b c/d.e_f-g${'h'.repeat(20)}`;
    const plan = planRun({ input: {}, execution: { name, startTime: execution.startTime } }, userToken());
    expect(plan.run.runId).toBe(`${'a'.repeat(70)}-b-c-d.e_f`);
    expect(plan.run.runId).toHaveLength(80);
  });
});

describe('planRun: auth mode', () => {
  const APP_TOKEN_REFUSAL =
    " read the user's own data, which an app token (client credentials) cannot: it has no user. Run " +
    '`npm run spotify:authorize` and deploy with --param="spotifyAuthMode=user_token" (locally: set ' +
    'SPOTIFY_REFRESH_TOKEN).';

  it('runs playlists with an app token', () => {
    expect(refsOf({ sources: ['abc'] }, appToken())).toEqual(['playlist:abc']);
    expect(refsOf({}, appToken())).toEqual(['playlist:p1', 'playlist:p2']);
  });

  it('refuses the user’s own data with an app token, naming every such source', () => {
    const input = { sources: ['me:recently-played', 'abc', 'me:top-tracks:long_term'] };
    expect(inputError(input, appToken()).message).toBe(
      `me:recently-played, me:top-tracks:long_term${APP_TOKEN_REFUSAL}`,
    );
  });

  it('refuses configured defaults that need a user when the mode is client credentials', () => {
    expect(inputError({}, appToken(['me:top-tracks:short_term'])).message).toBe(
      `me:top-tracks:short_term${APP_TOKEN_REFUSAL}`,
    );
  });

  it('runs every kind of source with a user token', () => {
    expect(refsOf({ sources: 'abc,me:top-tracks:short_term,me:recently-played' })).toEqual([
      'playlist:abc',
      'me:top-tracks:short_term',
      'me:recently-played',
    ]);
  });
});

describe('planRun: limits', () => {
  const distinct = (count: number) => Array.from({ length: count }, (_, index) => `p${index}`);

  it(`runs up to ${MAX_SOURCES_PER_RUN} sources`, () => {
    expect(MAX_SOURCES_PER_RUN).toBe(100);
    expect(refsOf({ sources: distinct(100) })).toHaveLength(100);
  });

  it('refuses more, counted after normalization', () => {
    expect(inputError({ sources: distinct(101) }).message).toBe(
      'Invalid execution input: 101 sources, more than 100 per execution.',
    );
    expect(inputError({ sources: distinct(60), playlistIds: distinct(120).slice(59) }).message).toBe(
      'Invalid execution input: 120 sources, more than 100 per execution.',
    );
  });

  it('counts spellings of one source once', () => {
    const spellings = distinct(100).flatMap((id) => [id, `playlist:${id}`, `spotify:playlist:${id}`]);
    expect(refsOf({ sources: spellings })).toHaveLength(100);
  });

  it('copes with a huge array of one reference', () => {
    expect(refsOf({ sources: Array.from({ length: 100_000 }, () => 'abc') })).toEqual(['playlist:abc']);
  });

  it('refuses a huge array of bad references with an InvalidInputError', () => {
    const error = inputError({ sources: Array.from({ length: 20_000 }, (_, index) => `bad ${index}`) });
    expect(error.message).toMatch(/^Invalid execution input "sources": "bad 0" is not a source reference; /);
  });

  // BUG (hardening): every bad reference is quoted in the message, so a 256 KB execution input of
  // bad references makes a ~770 KB error message (Step Functions keeps at most 32,768 characters of
  // an error's cause). parseSources (functions/commons/domain/run.ts) should report a bounded
  // number of problems, e.g. the first 10 and "... and N more".
  it('keeps the error message for a huge array of bad references short', () => {
    const error = inputError({ sources: Array.from({ length: 20_000 }, (_, index) => `bad ${index}`) });
    expect(error.message.length).toBeLessThan(32_768);
  });
});

describe('planRun: hostile or malformed input', () => {
  it.each([
    ['non-string sources', { sources: [1, 2] }, 'sources: Invalid input'],
    ['null in sources', { sources: ['abc', null] }, 'sources: Invalid input'],
    ['an object as sources', { sources: { 0: 'abc' } }, 'sources: Invalid input'],
    ['a number as sources', { sources: 5 }, 'sources: Invalid input'],
    [
      'a string as playlistIds',
      { playlistIds: 'abc' },
      'playlistIds: Invalid input: expected array, received string',
    ],
    [
      'a non-string playlist id',
      { playlistIds: [7] },
      'playlistIds.0: Invalid input: expected string, received number',
    ],
    ['a non-string Comment', { Comment: 5 }, 'Comment: Invalid input: expected string, received number'],
    [
      'a non-string date',
      { snapshotDate: 20260301 },
      'snapshotDate: Invalid input: expected string, received number',
    ],
    ['an unknown key (a typo)', { playlistId: 'abc' }, 'input: Unrecognized key: "playlistId"'],
    ['two unknown keys', { source: 'abc', date: 'x' }, 'input: Unrecognized keys: "source", "date"'],
    ['a __proto__ key', PROTO_INPUT, 'input: Unrecognized key: "__proto__"'],
    ['an array input', ['abc'], 'input: Invalid input: expected object, received array'],
    ['a string input', 'abc', 'input: Invalid input: expected object, received string'],
    ['a number input', 42, 'input: Invalid input: expected object, received number'],
  ])('refuses %s, naming the field', (_label, input, issue) => {
    const error = inputError(input);
    expect(error.name).toBe('InvalidInputError');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(`Invalid execution input: ${issue}. ${HINT}`);
  });

  it.each([
    ['a number', 42, 'input: Invalid input: expected object, received number'],
    ['no execution', { input: {} }, 'execution: Invalid input: expected object, received undefined'],
    [
      'an empty execution name',
      { input: {}, execution: { name: '', startTime: execution.startTime } },
      'execution.name: Too small: expected string to have >=1 characters',
    ],
    [
      'an empty start time',
      { input: {}, execution: { name: 'x', startTime: '' } },
      'execution.startTime: Too small: expected string to have >=1 characters',
    ],
  ])('refuses a Plan event that is %s', (_label, event, issue) => {
    expect(planError(event).message).toBe(`Invalid Plan event: ${issue}. ${HINT}`);
  });
});

describe('parseSources', () => {
  it('names where the references came from', () => {
    expect(() => parseSources(['ok', 'x y'], 'the list')).toThrow(
      new InvalidInputError(`Invalid the list: "x y" is not a source reference. ${SOURCE_REFERENCE_HELP}`),
    );
  });

  it('returns nothing for no references', () => {
    expect(parseSources([], 'the list')).toEqual([]);
  });
});

describe('configuredSources (the DEFAULT_SOURCES setting)', () => {
  it('splits, trims, normalizes and de-duplicates', () => {
    expect(
      configuredSources({ DEFAULT_SOURCES: ' a1 ,playlist:b2,a1,me:recently-played,' }).map((s) => s.ref),
    ).toEqual(['playlist:a1', 'playlist:b2', 'me:recently-played']);
  });

  it('falls back to the three personal Top 50s when unset or blank', () => {
    const personal = ['me:top-tracks:short_term', 'me:top-tracks:medium_term', 'me:top-tracks:long_term'];
    expect(DEFAULT_SOURCES).toBe(personal.join(','));
    expect(configuredSources({}).map((s) => s.ref)).toEqual(personal);
    expect(configuredSources({ DEFAULT_SOURCES: '  ' }).map((s) => s.ref)).toEqual(personal);
  });

  it('rejects a malformed list as a configuration error naming the setting', () => {
    expect(() => configuredSources({ DEFAULT_SOURCES: 'ok,no way' })).toThrow(ConfigurationError);
    expect(() => configuredSources({ DEFAULT_SOURCES: 'ok,no way' })).toThrow(
      `Invalid DEFAULT_SOURCES setting: "no way" is not a source reference. ${SOURCE_REFERENCE_HELP}`,
    );
  });

  // BUG: a setting of only commas (",", " , ") parses to no sources at all instead of failing as a
  // configuration error; the runs then fail with "Invalid execution input: no sources to run",
  // which blames the execution input. configuredSources (functions/commons/config.ts) should throw
  // a ConfigurationError naming DEFAULT_SOURCES when the parsed list is empty.
  it('rejects a list of commas only, naming the setting', () => {
    expect(() => configuredSources({ DEFAULT_SOURCES: ' , ' })).toThrow(ConfigurationError);
  });
});

describe('isSnapshotDate', () => {
  it.each(['2026-01-31', '2024-02-29', '2000-02-29'])('accepts %s', (value) =>
    expect(isSnapshotDate(value)).toBe(true),
  );
  it.each(['2026-1-31', '2023-02-29', '1900-02-29', '2026-02-30', '2026-13-01', '2026-00-10', 'today', ''])(
    'rejects %j',
    (value) => expect(isSnapshotDate(value)).toBe(false),
  );
});
