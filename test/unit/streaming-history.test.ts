import { STREAMING_HISTORY } from '../../functions/commons/domain/sources';
import {
  exportFileNameKind,
  parseExportFileBytes,
  readExportFile,
  streamingHistoryReader,
} from '../../functions/sources/streaming-history';

const play = (overrides: Record<string, unknown> = {}) => ({
  ts: '2024-03-01T10:00:00Z',
  username: 'someone',
  platform: 'android',
  ms_played: 200_000,
  conn_country: 'DE',
  ip_addr: '192.0.2.1',
  ip_addr_decrypted: '192.0.2.2',
  user_agent_decrypted: 'agent',
  master_metadata_track_name: 'Song',
  master_metadata_album_artist_name: 'Artist',
  master_metadata_album_album_name: 'Album',
  spotify_track_uri: 'spotify:track:4uLU6hMCjMI75M1A2tKUQC',
  reason_start: 'trackdone',
  reason_end: 'endplay',
  shuffle: false,
  skipped: null,
  offline: false,
  incognito_mode: false,
  a_field_spotify_adds_later: 'x',
  ...overrides,
});
const options = { includeIncognito: false, now: new Date('2026-12-02T12:00:00Z') };

describe('readExportFile', () => {
  it('keeps only the allow-listed fields of each play', () => {
    const { plays } = readExportFile('f.json', [play()], options);
    expect(Object.keys(plays[0] ?? {}).sort()).toEqual([
      'conn_country',
      'incognito_mode',
      'master_metadata_album_album_name',
      'master_metadata_album_artist_name',
      'master_metadata_track_name',
      'ms_played',
      'offline',
      'platform',
      'reason_end',
      'reason_start',
      'shuffle',
      'skipped',
      'spotify_track_uri',
      'ts',
    ]);
    expect(JSON.stringify(plays)).not.toMatch(/192\.0\.2|someone|agent|a_field/);
  });

  it('drops private-session plays unless asked, and counts them', () => {
    const file = [play(), play({ incognito_mode: true })];
    expect(readExportFile('f.json', file, options)).toMatchObject({ elements: 2, dropped: { incognito: 1 } });
    expect(readExportFile('f.json', file, { ...options, includeIncognito: true }).plays).toHaveLength(2);
  });

  it('skips up to 5% malformed elements; more fails the file, naming the first', () => {
    const file = (bad: number) => [
      ...Array.from({ length: 100 - bad }, () => play()),
      ...Array.from({ length: bad }, () => null),
    ];
    expect(readExportFile('f.json', file(5), options).dropped.invalid).toBe(5);
    expect(() => readExportFile('f.json', file(6), options)).toThrow(
      'f.json is not a usable streaming-history export: 6 of its 100 elements are not plays (element 94 is the first: it is null, not an object)',
    );
    expect(() => readExportFile('f.json', [play({ ms_played: -1 })], options)).toThrow(
      /element 0 is the first: ms_played/,
    );
    expect(() => readExportFile('f.json', [play({ ts: 'soon' })], options)).toThrow(
      /ts is not a UTC date and time/,
    );
    // Never the values: they may be private.
    expect(() => readExportFile('f.json', [play({ ts: 12 })], options)).not.toThrow(/12/);
  });

  it.each([
    ['2026-02-30T00:00:00Z', 'is not a real calendar date'],
    ['2025-06-01T24:00:00Z', 'is not a real calendar date'],
    ['2025-06-01T10:00:00+02:00', 'is not a UTC date and time'],
    ['Sun, 01 Jun 2025 10:00:00 GMT', 'is not a UTC date and time'],
    ['1999-01-01T00:00:00Z', 'is before 2008'],
    ['2099-01-01T00:00:00Z', 'is in the future'],
    ['2026-12-03T12:00:01Z', 'is in the future'],
  ])('counts a play whose ts is %s as malformed: it %s', (ts, why) => {
    const file = [...Array.from({ length: 99 }, () => play()), play({ ts })];
    const contents = readExportFile('f.json', file, options);
    expect(contents.dropped.invalid).toBe(1);
    expect(contents.plays.map((kept) => kept.ts)).not.toContain(ts);
    expect(() => readExportFile('f.json', [play({ ts })], options)).toThrow(
      `element 0 is the first: ts ${why}`,
    );
  });

  it('keeps the ts shapes Spotify writes, up to a day after the import', () => {
    for (const ts of [
      '2008-01-01T00:00:00Z',
      '2024-02-29T23:59:59Z',
      '2024-03-01T10:00:00.123Z',
      '2026-12-03T11:59:59Z',
    ]) {
      expect(readExportFile('f.json', [play({ ts })], options).plays).toHaveLength(1);
    }
  });

  it('refuses what is not an export, and takes an empty file', () => {
    expect(readExportFile('f.json', [], options)).toEqual({
      plays: [],
      elements: 0,
      dropped: { invalid: 0, incognito: 0 },
    });
    expect(() => readExportFile('f.json', { plays: [] }, options)).toThrow(
      /holds a JSON object, not an array of plays/,
    );
    expect(() => readExportFile('f.json', 'x', options)).toThrow(/holds JSON string/);
    expect(() =>
      readExportFile(
        'f.json',
        [{ endTime: '2024-01-01 10:00', artistName: 'A', trackName: 'T', msPlayed: 1 }],
        options,
      ),
    ).toThrow(/"Account data" streaming history/);
    expect(() => parseExportFileBytes('f.json', Buffer.from([0xff]))).toThrow(/not UTF-8/);
    expect(() => parseExportFileBytes('f.json', Buffer.from('[{'))).toThrow(/not JSON/);
  });
});

describe('export file names', () => {
  it.each([
    ['Streaming_History_Audio_2019-2021_3.json', 'export'],
    ['Streaming_History_Audio_2024.json', 'export'],
    ['Streaming_History_Video_2020-2024.json', 'export'],
    ['endsong_0.json', 'export'],
    ['endvideo.json', 'export'],
    ['StreamingHistory0.json', 'account_data'],
    ['StreamingHistory_music_0.json', 'account_data'],
    ['StreamingHistory_podcast_1.json', 'account_data'],
    ['Streaming_History_Audio_2019.json.bak', 'other'],
    ['Userdata.json', 'other'],
  ])('%s is %s', (name, kind) => {
    expect(exportFileNameKind(name)).toBe(kind);
  });
});

describe('streamingHistoryReader', () => {
  it('reads archived plays as entries: tracks with their listening, other content skipped by kind', () => {
    const archived = readExportFile(
      'f.json',
      [
        play(),
        play({ spotify_track_uri: null, spotify_episode_uri: 'spotify:episode:x' }),
        play({ spotify_track_uri: null, audiobook_chapter_uri: 'spotify:episode:y' }),
        play({ spotify_track_uri: null, master_metadata_track_name: null }),
        play({ spotify_track_uri: 'spotify:track:short' }),
        ...Array.from({ length: 20 }, () => play()),
        null,
      ],
      options,
    );
    const read = streamingHistoryReader.read({ file: 'f.json', ...archived }, STREAMING_HISTORY);
    if ('problem' in read) throw new Error(read.problem);
    expect(
      read.entries.slice(0, 6).map((entry) => (entry.kind === 'skip' ? entry.reason : entry.track.id)),
    ).toEqual(['invalid', '4uLU6hMCjMI75M1A2tKUQC', 'episode', 'audiobook', 'unavailable', 'invalid']);
    const [, first] = read.entries;
    expect(first).toMatchObject({
      playedAt: '2024-03-01T10:00:00Z',
      track: { name: 'Song', artists: [{ id: null, name: 'Artist' }], album: { id: null, name: 'Album' } },
      listening: {
        msPlayed: 200_000,
        reasonStart: 'trackdone',
        skipped: null,
        connCountry: 'DE',
        platform: 'android',
      },
    });
    expect(streamingHistoryReader.read({ plays: 'no' }, STREAMING_HISTORY)).toHaveProperty('problem');
  });
});
