import { resolveRun } from '../../functions/commons/domain/run';
import { isSnapshotDate } from '../../functions/commons/domain/snapshot-date';
import { playlistIdList } from '../../functions/commons/config';
import { InvalidInputError } from '../../functions/commons/errors';

const execution = { name: 'daily-run/2026 03 01', startTime: '2026-03-01T23:59:59.000Z' };

describe('resolveRun', () => {
  it('defaults to the UTC date of the execution start and the configured playlists', () => {
    expect(resolveRun({ input: {}, execution }, ['p1', 'p2'])).toEqual({
      snapshotDate: '2026-03-01',
      runId: 'daily-run-2026-03-01',
      playlistIds: ['p1', 'p2'],
      startedAt: '2026-03-01T23:59:59.000Z',
    });
  });

  it("accepts the console's pre-filled Comment and ignores it", () => {
    const run = resolveRun({ input: { Comment: 'Insert your JSON here' }, execution }, ['p1']);
    expect(run).toMatchObject({ snapshotDate: '2026-03-01', playlistIds: ['p1'] });
  });

  it('takes the date and playlists from the input, without duplicates', () => {
    const run = resolveRun(
      { input: { snapshotDate: '2024-02-29', playlistIds: ['abc', 'abc', 'def'] }, execution },
      ['p1'],
    );
    expect(run).toMatchObject({ snapshotDate: '2024-02-29', playlistIds: ['abc', 'def'] });
  });

  it.each([
    [{ snapshotDate: '2026-02-30' }, 'snapshotDate: must be a calendar date'],
    [{ snapshotDate: '01/03/2026' }, 'snapshotDate: must be a calendar date'],
    [{ playlistIds: [] }, 'playlistIds: must list at least one playlist id'],
    [{ playlistIds: ['not an id!'] }, 'playlistIds.0: must be a Spotify playlist id'],
    [{ playlistId: 'abc' }, 'Unrecognized key: "playlistId"'],
  ])('rejects %j with a message naming the field', (input, message) => {
    expect(() => resolveRun({ input, execution }, ['p1'])).toThrow(InvalidInputError);
    expect(() => resolveRun({ input, execution }, ['p1'])).toThrow(message);
  });
});

describe('isSnapshotDate', () => {
  it.each(['2026-01-31', '2024-02-29'])('accepts %s', (value) => expect(isSnapshotDate(value)).toBe(true));
  it.each(['2026-1-31', '2023-02-29', '2026-13-01', 'today', ''])('rejects %j', (value) =>
    expect(isSnapshotDate(value)).toBe(false),
  );
});

describe('playlistIdList', () => {
  it('splits, trims and de-duplicates', () => {
    expect(playlistIdList(' a1 ,b2,a1,', 'X')).toEqual(['a1', 'b2']);
  });
  it('rejects an empty or malformed list, naming the setting', () => {
    expect(() => playlistIdList('', 'DEFAULT_PLAYLIST_IDS')).toThrow('DEFAULT_PLAYLIST_IDS must be');
    expect(() => playlistIdList('ok,no way', 'DEFAULT_PLAYLIST_IDS')).toThrow('DEFAULT_PLAYLIST_IDS must be');
  });
});
