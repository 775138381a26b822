import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { handler as extract } from '../../functions/extract/handler';
import { handler as load } from '../../functions/load/handler';
import { handler as transform } from '../../functions/transform/handler';
import { keys } from '../../functions/commons/domain/keys';
import { playlistSource, TOP_50_GLOBAL_PLAYLIST_ID } from '../../functions/commons/domain/sources';
import { localS3Client } from '../../scripts/local/local-s3';
import { lambdaContext } from '../../scripts/local/state-machine';
import { parseCsv } from '../helpers/csv';
import { readObject, useStackEnvironment } from '../helpers/handler-env';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';

async function deleteObject(stack: LocalStack, key: string): Promise<void> {
  const s3 = localS3Client(stack.s3.endpoint);
  await s3.send(new DeleteObjectCommand({ Bucket: stack.bucket, Key: key }));
  s3.destroy();
}

const CHART = playlistSource(TOP_50_GLOBAL_PLAYLIST_ID);
const OLD = '2026-05-01';
const NEW = '2026-05-02';

/**
 * Two executions that publish the same source at once (a retry and the schedule, a backfill and
 * today): whatever the interleaving, latest/ ends on the newest date. The local S3 honours S3's
 * conditional writes and lets a test hold one writer at its PUT while the other goes ahead.
 */
describe('latest/ under two overlapping Loads', () => {
  let stack: LocalStack;
  const events: Record<string, Parameters<typeof load>[0]> = {};
  beforeAll(async () => {
    stack = await startLocalStack({ mode: 'extended_quota' });
    useStackEnvironment(stack);
    for (const date of [OLD, NEW]) {
      stack.spotify.options.snapshotDate = date;
      const run = { snapshotDate: date, runId: `race-${date}`, startedAt: `${date}T06:00:00.000Z` };
      const extracted = await extract({ run, source: CHART }, lambdaContext('extract', 60));
      const transformed = await transform(
        { run, source: CHART, extract: extracted },
        lambdaContext('transform', 60),
      );
      events[date] = { run, source: CHART, extract: extracted, transform: transformed };
    }
  });
  afterAll(() => stack.close());
  afterEach(() => {
    stack.s3.beforePut = undefined;
  });

  const latestDate = async () =>
    parseCsv(await readObject(stack, keys.latestTopTracksCsv(CHART))).rows[0]?.snapshot_date;
  const publish = (date: string) => load(events[date], lambdaContext('load', 60));

  /** Holds the first writer of latest/ until `whileHeld` (the other Load) has finished. */
  async function interleave(held: string, other: string) {
    let release: (value?: unknown) => void = () => undefined;
    const gate = new Promise((resolve) => (release = resolve));
    let holding = true;
    let reached: (value?: unknown) => void = () => undefined;
    const atPut = new Promise((resolve) => (reached = resolve));
    stack.s3.beforePut = async (key) => {
      if (key !== keys.latestTopTracksCsv(CHART) || !holding) return;
      holding = false;
      reached();
      await gate;
    };
    const first = publish(held);
    await atPut;
    const second = await publish(other);
    release();
    return { first: await first, second };
  }

  it.each([
    ['the older run is held at its write while the newer one publishes', OLD, NEW],
    ['the newer run is held at its write while the older one publishes', NEW, OLD],
  ])('ends on the newest date when %s', async (_case, held, other) => {
    // Both find no latest/ yet (a first run and a backfill): each writes with If-None-Match: *.
    await deleteObject(stack, keys.latestTopTracksCsv(CHART));
    const { first, second } = await interleave(held, other);
    expect(await latestDate()).toBe(NEW);
    const byDate = { [held]: first, [other]: second };
    expect(byDate[NEW]?.latestUpdated).toBe(true);
    // Held, the older run finds the newer date there when it writes, and leaves it.
    if (held === OLD) expect(byDate[OLD]?.latestUpdated).toBe(false);
  });

  it.each([
    [OLD, NEW],
    [NEW, OLD],
  ])('ends on the newest date when %s and then %s publish one after the other', async (a, b) => {
    await publish(a);
    await publish(b);
    expect(await latestDate()).toBe(NEW);
  });
});

describe('an S3 outage', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ mode: 'extended_quota', snapshotDate: '2026-05-03' });
  });
  afterAll(() => stack.close());
  afterEach(() => {
    stack.s3.faults = [];
  });

  it('is a named error the state machine retries: a short one costs a retry, not the day', async () => {
    // The SDK retries 503 itself (3 attempts): four in a row outlast one Load invocation.
    stack.s3.faults = [{ method: 'PUT', keyIncludes: 'curated/top_tracks/', status: 503, times: 4 }];
    const result = await stack.run({ snapshotDate: '2026-05-03', sources: [CHART.ref] });
    expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    const retried = result.events.flatMap((event) =>
      event.type === 'StateRetried' ? [event.retry.retrier.ErrorEquals.join(',')] : [],
    );
    expect(retried.some((errors) => errors.includes('StorageUnavailable'))).toBe(true);
  });

  it('that lasts fails the source as StorageUnavailable, not Unknown, and says what to check', async () => {
    stack.s3.faults = [{ method: 'PUT', keyIncludes: 'curated/top_tracks/', status: 503, times: 1_000 }];
    const result = await stack.run({ snapshotDate: '2026-05-03', sources: [CHART.ref] });
    expect([result.status, result.error]).toEqual(['FAILED', 'StorageUnavailable']);
    expect(result.cause).toContain('S3 failed to write');
  });
});
