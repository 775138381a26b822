import { gunzipSync } from 'node:zlib';
import { handler as extract } from '../../functions/extract/handler';
import { handler as finalize } from '../../functions/finalize/handler';
import { handler as load } from '../../functions/load/handler';
import { handler as plan } from '../../functions/plan/handler';
import { handler as transform } from '../../functions/transform/handler';
import { keys } from '../../functions/commons/domain/keys';
import { parseSourceRef, type SourceRef } from '../../functions/commons/domain/sources';
import {
  normalizedDocumentSchema,
  rawSourceDocumentSchema,
} from '../../functions/commons/domain/staging-documents';
import { lambdaContext } from '../../scripts/local/state-machine';
import { parseCsv } from '../helpers/csv';
import { rejectionOf } from '../helpers/errors';
import { listKeys, readBytes, readObject, useStackEnvironment } from '../helpers/handler-env';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';
import { SAMPLE_PLAYLIST_IDS } from '../spotify-stand-in/playlists';

const source = (ref: string): SourceRef => {
  const parsed = parseSourceRef(ref);
  if (!('ref' in parsed)) throw new Error(parsed.problem);
  return parsed;
};

/** Each handler on its own, through its middy chain, against a real local S3 server. */
describe('step handlers against a local S3 server', () => {
  let stack: LocalStack;
  const context = (name: string) => lambdaContext(name, 60);
  const execution = { name: 'handler-test', startTime: '2026-04-01T06:00:00.000Z' };
  const run = { snapshotDate: '2026-04-01', runId: 'handler-test', startedAt: '2026-04-01T06:00:00.000Z' };
  const owned = source(`playlist:${SAMPLE_PLAYLIST_IDS.weeklyPicks}`);

  beforeAll(async () => {
    stack = await startLocalStack({ snapshotDate: '2026-04-01', now: () => new Date(run.startedAt) });
    useStackEnvironment(stack, {
      SPOTIFY_CLIENT_SECRET: '',
      SPOTIFY_REFRESH_TOKEN: stack.spotify.grantRefreshToken(),
    });
  });
  afterAll(() => stack.close());

  it('Plan resolves the run and its sources, and returns nothing else', async () => {
    const result = await plan(
      { input: { sources: ['me:top-tracks:short_term', owned.playlistId ?? ''] }, execution },
      context('plan'),
    );
    expect(result).toEqual({
      run,
      items: [
        { source: source('me:top-tracks:short_term'), replay: null },
        { source: owned, replay: null },
      ],
      concurrency: 2,
      import: null,
    });
  });

  it("Extract keeps the source's raw answer under raw/ and returns only keys and counts", async () => {
    const result = await extract({ run, source: owned }, context('extract'));
    expect(result).toMatchObject({
      rawKey: keys.raw('2026-04-01', owned, 'handler-test'),
      apiMode: 'items',
      resumed: false,
      warnings: [],
    });
    expect(result.entries).toBeGreaterThan(0);
    expect(await listKeys(stack, 'raw/')).toEqual([result.rawKey]);
    const staged = rawSourceDocumentSchema.parse(
      JSON.parse(gunzipSync(await readBytes(stack, result.rawKey)).toString('utf8')),
    );
    expect(staged).toMatchObject({ source: owned.ref, kind: 'playlist', sourceName: 'My weekly picks' });

    // A retry of the same execution resumes from what the first attempt kept: no Spotify call.
    stack.spotify.resetCounts();
    const again = await extract({ run, source: owned }, context('extract'));
    expect(again).toMatchObject({ rawKey: result.rawKey, resumed: true, entries: result.entries });
    expect(stack.spotify.count()).toBe(0);
  });

  it("Transform turns the raw answer into the dataset's rows in staging", async () => {
    const extracted = await extract({ run, source: owned }, context('extract'));
    const result = await transform({ run, source: owned, extract: extracted }, context('transform'));
    expect(result).toMatchObject({ normalizedKey: keys.normalized('handler-test', owned, extracted.rawKey) });
    const normalized = normalizedDocumentSchema.parse(
      JSON.parse(await readObject(stack, result.normalizedKey)),
    );
    expect(normalized.dataset).toBe('top_tracks');
    expect(normalized.records).toHaveLength(result.records);
    expect(result.itemsSeen).toBe(extracted.entries);
  });

  it("Load publishes the source's CSV and latest/", async () => {
    const extracted = await extract({ run, source: owned }, context('extract'));
    const transformed = await transform({ run, source: owned, extract: extracted }, context('transform'));
    const result = await load(
      { run, source: owned, extract: extracted, transform: transformed },
      context('load'),
    );
    const csvKey = keys.topTracksCsv('2026-04-01', owned);
    expect(result).toMatchObject({
      dataset: 'top_tracks',
      keys: [csvKey],
      rows: transformed.records,
      latestUpdated: true,
    });
    expect(parseCsv(await readObject(stack, csvKey)).rows).toHaveLength(transformed.records);
    expect(await readObject(stack, keys.latestTopTracksCsv(owned))).toBe(await readObject(stack, csvKey));
  });

  it('Finalize writes one manifest for the execution and fails, naming the source, when one failed', async () => {
    const extracted = await extract({ run, source: owned }, context('extract'));
    const transformed = await transform({ run, source: owned, extract: extracted }, context('transform'));
    const loaded = await load(
      { run, source: owned, extract: extracted, transform: transformed },
      context('load'),
    );
    const succeeded = {
      status: 'succeeded',
      source: owned,
      extract: extracted,
      transform: transformed,
      load: loaded,
    };
    const ok = await finalize({ run, outcomes: [succeeded] }, context('finalize'));
    expect(ok).toMatchObject({
      manifestKey: keys.runManifest('2026-04-01', 'handler-test'),
      rowsWritten: loaded.rows,
    });

    const failed = {
      status: 'failed',
      source: source('me:top-tracks:long_term'),
      error: {
        Error: 'SpotifyScopeMissing',
        Cause: JSON.stringify({ errorMessage: 'no user-top-read', trace: [] }),
      },
    };
    const error = await rejectionOf(finalize({ run, outcomes: [succeeded, failed] }, context('finalize')));
    expect(error.name).toBe('SourcesFailed');
    expect(error.message).toContain('me:top-tracks:long_term: SpotifyScopeMissing (no user-top-read)');
    const manifest: unknown = JSON.parse(
      await readObject(stack, keys.runManifest('2026-04-01', 'handler-test')),
    );
    expect(manifest).toMatchObject({
      status: 'partial',
      sources: [
        { source: owned.ref, status: 'succeeded' },
        {
          source: 'me:top-tracks:long_term',
          status: 'failed',
          error: 'SpotifyScopeMissing',
          cause: 'no user-top-read',
        },
      ],
    });
  });

  it('Transform fails with StagingObjectMissing when the raw answer is gone', async () => {
    const extracted = await extract({ run, source: owned }, context('extract'));
    const missing = { ...extracted, rawKey: 'raw/snapshot_date=2026-04-01/source=gone/run=x.json' };
    const error = await rejectionOf(
      transform({ run, source: owned, extract: missing }, context('transform')),
    );
    expect(error.name).toBe('StagingObjectMissing');
    expect(error.message).toContain('Start a new execution');
  });

  it('Load refuses rows that fail the quality gate and publishes nothing', async () => {
    const other = { ...run, snapshotDate: '2026-04-02', runId: 'quality' };
    const extracted = await extract({ run: other, source: owned }, context('extract'));
    const transformed = await transform(
      { run: other, source: owned, extract: extracted },
      context('transform'),
    );
    const before = await listKeys(stack, 'curated/');
    useStackEnvironment(stack, { QUALITY_MAX_ROWS_PER_SOURCE: '2' });
    try {
      const error = await rejectionOf(
        load({ run: other, source: owned, extract: extracted, transform: transformed }, context('load')),
      );
      expect(error.name).toBe('DataQualityError');
      expect(error.message).toContain(`${transformed.records} rows, outside the allowed 1..2`);
    } finally {
      delete process.env.QUALITY_MAX_ROWS_PER_SOURCE;
    }
    expect(await listKeys(stack, 'curated/')).toEqual(before);
  });

  it('rejects an event that is not the documented shape', async () => {
    await expect(
      transform({ run: { snapshotDate: '2026-04-01' } }, context('transform')),
    ).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
    await expect(plan({ input: { sources: 42 }, execution }, context('plan'))).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
  });
});
