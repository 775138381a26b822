import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { localS3Client } from '../../scripts/local/local-s3';
import type { LocalRunResult } from '../../scripts/local/run-local';
import type { Json } from '../../scripts/local/state-machine';
import { publishedFiles } from '../helpers/bucket-snapshot';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';
import { TOP_50_GLOBAL_PLAYLIST_ID } from '../../functions/commons/domain/sources';

const DATES = ['2026-06-01', '2026-06-02', '2026-06-03'];
const SOURCES = [`playlist:${TOP_50_GLOBAL_PLAYLIST_ID}`, 'me:top-tracks:short_term', 'me:recently-played'];

/** Deletes every object under a prefix, as a user who lost (or wants to rebuild) the curated data would. */
async function deletePrefix(stack: LocalStack, prefix: string): Promise<void> {
  const s3 = localS3Client(stack.s3.endpoint);
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: prefix }));
  const objects = (listed.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
  if (objects.length > 0)
    await s3.send(new DeleteObjectsCommand({ Bucket: stack.bucket, Delete: { Objects: objects } }));
  s3.destroy();
  await rm(path.join(stack.dataDir, stack.bucket, ...prefix.split('/')), { recursive: true, force: true });
}

/**
 * Spotify cannot give back a past day: what it answered is kept under raw/, and a replay rebuilds
 * curated data from it, through the same Transform and Load, without calling Spotify.
 */
describe('replay from the raw archive', () => {
  let stack: LocalStack;
  let token: string;
  beforeAll(async () => {
    stack = await startLocalStack({
      mode: 'extended_quota',
      listening: {
        startAt: new Date('2026-05-30T00:00:00.000Z'),
        everyMinutes: 30,
        playlistContextId: 'x',
        extraPlays: [],
      },
    });
    token = stack.spotify.grantRefreshToken();
    for (const date of DATES) {
      stack.spotify.options.snapshotDate = date;
      stack.spotify.options.now = () => new Date(`${date}T06:00:00.000Z`);
      const result = await stack.runAsUser(token, { snapshotDate: date, sources: SOURCES });
      expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    }
  });
  afterAll(() => stack.close());

  const replay = (input: Json, snapshotDate = '2026-06-10'): Promise<LocalRunResult> =>
    stack.runAsUser(token, { snapshotDate, input: { replay: input } });

  it('rebuilds byte-identical curated files for a range after curated/ was deleted, without calling Spotify', async () => {
    const before = await publishedFiles(path.join(stack.dataDir, stack.bucket));
    const curated = Object.keys(before).filter((key) => key.startsWith('curated/'));
    expect(curated.filter((key) => key.includes('recently_played')).length).toBeGreaterThanOrEqual(3);
    expect(curated.length).toBeGreaterThanOrEqual(9);
    await deletePrefix(stack, 'curated/');
    stack.spotify.resetCounts();
    const result = await replay({ from: '2026-06-01', to: '2026-06-03' });
    expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    expect(stack.spotify.count()).toBe(0);
    expect(await publishedFiles(result.bucketDir)).toEqual(before);
    const entered = result.events.flatMap((event) =>
      event.type === 'StateEntered' && 'state' in event ? [event.state.name] : [],
    );
    expect(entered).not.toContain('Extract');
    expect(entered.filter((name) => name === 'FromArchive')).toHaveLength(DATES.length * SOURCES.length);
  });

  it('replays one source of one date on its own, and changes nothing when the code did not change', async () => {
    const before = await publishedFiles(path.join(stack.dataDir, stack.bucket));
    const result = await stack.runAsUser(token, {
      snapshotDate: '2026-06-10',
      input: { replay: { from: '2026-06-02' }, sources: ['me:top-tracks:short_term'] },
    });
    expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    expect(await publishedFiles(result.bucketDir)).toEqual(before);
    const manifest = result.events.filter(
      (event) => event.type === 'StateEntered' && 'state' in event && event.state.name === 'Transform',
    );
    expect(manifest).toHaveLength(1);
  });

  it.each<[Json, string]>([
    [{ from: '2026-06-03', to: '2026-06-01' }, 'is after replay.to'],
    [{ from: '2026-13-01' }, 'is not a date written YYYY-MM-DD'],
    [{ from: '2099-01-01' }, 'is in the future'],
    [{ from: '2026-01-01', to: '2026-03-01' }, 'at most 31 days'],
    [{ from: '2026-05-01' }, 'Nothing to replay'],
    [{ from: '2026-06-01', by: 'me' }, 'Unrecognized key'],
  ])('refuses %j with InvalidInputError and a clear message', async (input, message) => {
    const result = await replay(input);
    expect([result.status, result.error]).toEqual(['FAILED', 'InvalidInputError']);
    expect(result.cause).toContain(message);
  });
});
