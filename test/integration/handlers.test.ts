import { handler as extract } from '../../functions/extract/handler';
import { handler as load } from '../../functions/load/handler';
import { handler as transform } from '../../functions/transform/handler';
import { keys } from '../../functions/commons/domain/keys';
import {
  normalizedDocumentSchema,
  rawPlaylistDocumentSchema,
} from '../../functions/commons/domain/staging-documents';
import { lambdaContext } from '../../scripts/local/state-machine';
import { parseCsv } from '../helpers/csv';
import { rejectionOf } from '../helpers/errors';
import { listKeys, readObject, useStackEnvironment } from '../helpers/handler-env';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';
import { SAMPLE_PLAYLIST_IDS } from '../spotify-stand-in/playlists';

/** Each handler on its own, through its middy chain, against a real local S3 server. */
describe('step handlers against a local S3 server', () => {
  let stack: LocalStack;
  const context = (name: string) => lambdaContext(name, 60);
  const execution = { name: 'handler-test', startTime: '2026-04-01T06:00:00.000Z' };

  beforeAll(async () => {
    stack = await startLocalStack({ snapshotDate: '2026-04-01' });
    useStackEnvironment(stack);
  });
  afterAll(() => stack.close());

  async function extractTwoPlaylists(snapshotDate?: string) {
    const input = {
      playlistIds: [SAMPLE_PLAYLIST_IDS.global, SAMPLE_PLAYLIST_IDS.japan],
      ...(snapshotDate ? { snapshotDate } : {}),
    };
    return extract({ input, execution }, context('extract'));
  }

  it('Extract stages one raw document per playlist and returns only keys and counts', async () => {
    const result = await extractTwoPlaylists();
    expect(result.run).toEqual({
      snapshotDate: '2026-04-01',
      runId: 'handler-test',
      playlistIds: [SAMPLE_PLAYLIST_IDS.global, SAMPLE_PLAYLIST_IDS.japan],
      startedAt: '2026-04-01T06:00:00.000Z',
    });
    expect(result.extract.playlists.map((playlist) => [playlist.rawKey, playlist.items])).toEqual([
      [keys.raw('2026-04-01', 'handler-test', SAMPLE_PLAYLIST_IDS.global), 50],
      [keys.raw('2026-04-01', 'handler-test', SAMPLE_PLAYLIST_IDS.japan), 50],
    ]);
    expect(result.extract.failed).toEqual([]);
    expect(await listKeys(stack, 'staging/')).toEqual(
      result.extract.playlists.map((playlist) => playlist.rawKey).sort(),
    );

    const staged = rawPlaylistDocumentSchema.parse(
      JSON.parse(await readObject(stack, result.extract.playlists[0]?.rawKey ?? '')),
    );
    expect(staged.playlist.name).toBe('Top 50 - Global');
    expect(staged.artists.status).toBe('ok');
    expect(staged.audioFeatures.status).toBe('ok');
  });

  it('Transform turns staged payloads into normalized records in staging', async () => {
    const { run, extract: extracted } = await extractTwoPlaylists();
    const result = await transform({ run, extract: extracted }, context('transform'));
    expect(result).toMatchObject({
      normalizedKey: keys.normalized('2026-04-01', 'handler-test'),
      records: 100,
      itemsSeen: 100,
    });
    const normalized = normalizedDocumentSchema.parse(
      JSON.parse(await readObject(stack, result.normalizedKey)),
    );
    expect(
      normalized.records.filter((record) => record.playlist_id === SAMPLE_PLAYLIST_IDS.japan),
    ).toHaveLength(50);
  });

  it('Load writes the CSV, latest/ and the manifest', async () => {
    const { run, extract: extracted } = await extractTwoPlaylists();
    const transformed = await transform({ run, extract: extracted }, context('transform'));
    const result = await load({ run, extract: extracted, transform: transformed }, context('load'));
    expect(result).toMatchObject({ csvKey: keys.curatedCsv('2026-04-01'), rows: 100, latestUpdated: true });
    const { rows } = parseCsv(await readObject(stack, result.csvKey));
    expect(rows).toHaveLength(100);
    expect(await readObject(stack, keys.latestCsv())).toBe(await readObject(stack, result.csvKey));
    const manifest = JSON.parse(await readObject(stack, keys.manifest('2026-04-01'))) as Record<
      string,
      unknown
    >;
    expect(manifest).toMatchObject({ snapshotDate: '2026-04-01', rowsWritten: 100, status: 'succeeded' });
  });

  it('Transform fails with StagingObjectMissing when a staged payload is gone', async () => {
    const { run, extract: extracted } = await extractTwoPlaylists();
    const missing = {
      ...extracted,
      playlists: [
        { ...extracted.playlists[0], rawKey: 'staging/snapshot_date=2026-04-01/run=gone/raw/x.json' },
      ],
    };
    const error = await rejectionOf(transform({ run, extract: missing }, context('transform')));
    expect(error.name).toBe('StagingObjectMissing');
    expect(error.message).toContain('Start a new execution');
  });

  it('Load refuses records that fail the quality gate and publishes nothing', async () => {
    const { run, extract: extracted } = await extractTwoPlaylists('2026-04-02');
    const transformed = await transform({ run, extract: extracted }, context('transform'));
    const before = await listKeys(stack, 'curated/');
    useStackEnvironment(stack, { QUALITY_MAX_ROWS_PER_PLAYLIST: '10' });
    try {
      const error = await rejectionOf(
        load({ run, extract: extracted, transform: transformed }, context('load')),
      );
      expect(error.name).toBe('DataQualityError');
      expect(error.message).toContain('50 rows, outside the allowed 1..10');
    } finally {
      delete process.env.QUALITY_MAX_ROWS_PER_PLAYLIST;
    }
    expect(await listKeys(stack, 'curated/')).toEqual(before);
    expect(await listKeys(stack, 'runs/snapshot_date=2026-04-02')).toEqual([]);
  });

  it('rejects an event that is not the documented shape', async () => {
    await expect(
      transform({ run: { snapshotDate: '2026-04-01' } }, context('transform')),
    ).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
  });
});
