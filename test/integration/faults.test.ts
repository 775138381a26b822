import { publishedFiles } from '../helpers/bucket-snapshot';
import { onlySource, publishedChartDay, retriesOf } from './faults-support';

/**
 * Spotify's transport faults through whole local executions: an extended-quota app reading the
 * Top 50 with client credentials (the stand-in's full API), one fault at a time. Transient faults
 * are retried inside the Lambda or by Step Functions; what outlasts the retries fails the run with
 * the error's own name, a message that says what to do, and nothing published changed.
 * Answers that are not the documented JSON, and refusals: faults-answers.test.ts.
 */
const DAY = '2026-05-01';

describe('Spotify faults, whole executions', () => {
  const { stack, run, expectFailure, published } = publishedChartDay(DAY);

  describe('transient faults are retried', () => {
    it('500 then success: retried with backoff inside the Lambda', async () => {
      stack().spotify.options.faults.push({ endpoint: 'artists', status: 500, times: 1 });
      const result = await run();
      expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
      expect(onlySource(result).spotify).toMatchObject({ retries: 1 });
      expect(stack().spotify.count('artists')).toBe(2);
      expect(retriesOf(result)).toBe(0);
    });

    it("a load balancer's HTML 502 page is a 5xx like any other: retried, then the run succeeds", async () => {
      stack().spotify.options.faults.push({ endpoint: 'playlist', html: true, times: 2 });
      const result = await run();
      expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
      expect(onlySource(result).spotify).toMatchObject({ retries: 2 });
      expect(stack().spotify.count('playlist')).toBe(3);
    });

    it('a slow answer times out and is retried; a server that never answers in time fails SpotifyUnavailable', async () => {
      stack().spotify.options.faults.push({ endpoint: 'audio_features', delayMs: 600, times: 1 });
      const env = { SPOTIFY_REQUEST_TIMEOUT_MS: '150' };
      const recovered = await run({ env });
      expect([recovered.status, recovered.cause]).toEqual(['SUCCEEDED', undefined]);
      // The abandoned request reached the server too: it is counted on arrival.
      expect(stack().spotify.count('audio_features')).toBe(2);
      expect(onlySource(recovered).enrichmentUnavailable).toEqual([]);

      stack().spotify.options.faults.push({ endpoint: 'playlist', delayMs: 600 });
      stack().spotify.resetCounts();
      const failed = await expectFailure('SpotifyUnavailable', {
        env: { ...env, SPOTIFY_MAX_ATTEMPTS: '2' },
      });
      expect(failed.cause).toContain('no answer within 150 ms');
      // 2 attempts per invocation, 1 + 3 invocations (Step Functions retries SpotifyUnavailable)
      expect(stack().spotify.count('playlist')).toBe(8);
    });
  });

  describe('outages outlasting the retries', () => {
    it('persistent 503: SpotifyUnavailable after bounded retries in the Lambda and in Step Functions', async () => {
      stack().spotify.options.faults.push({ endpoint: 'playlist', status: 503 });
      const failed = await expectFailure('SpotifyUnavailable');
      expect(failed.cause).toContain('after 4 attempts (last: HTTP 503)');
      expect(failed.cause).toContain('Spotify developer status page');
      expect(retriesOf(failed)).toBe(3);
      // 4 attempts per invocation, 1 + 3 invocations
      expect(stack().spotify.count('playlist')).toBe(16);
    });

    it('an HTML 503 from the token endpoint: SpotifyUnavailable after retries, not an auth error', async () => {
      stack().spotify.options.faults.push({ endpoint: 'token', status: 503, html: true });
      const failed = await expectFailure('SpotifyUnavailable');
      expect(failed.cause).toContain('did not answer token successfully after 4 attempts (last: HTTP 503)');
      expect(retriesOf(failed)).toBe(3);
      expect(stack().spotify.count('token')).toBe(16);
      expect(stack().spotify.count('playlist')).toBe(0);
    });
  });

  describe('rate limits', () => {
    it('429 with a short Retry-After: waits inside the Lambda and succeeds', async () => {
      stack().spotify.options.faults.push({
        endpoint: 'playlist',
        status: 429,
        retryAfterSeconds: 1,
        times: 1,
      });
      const started = Date.now();
      const result = await run();
      expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(onlySource(result).spotify).toMatchObject({ rateLimitWaits: 1, retries: 1 });
      expect(retriesOf(result)).toBe(0);
    });

    it('429 with a long Retry-After: SpotifyRateLimited, retried later by Step Functions, then failed', async () => {
      stack().spotify.options.faults.push({ endpoint: 'playlist', status: 429, retryAfterSeconds: 3600 });
      const failed = await expectFailure('SpotifyRateLimited');
      expect(failed.cause).toContain('Retry-After 3600 s');
      expect(failed.cause).toContain('run less often');
      expect(retriesOf(failed)).toBe(3);
      // Not slept through: one request per invocation.
      expect(stack().spotify.count('playlist')).toBe(4);
    });

    it('429 with a long Retry-After once: the Step Functions retry succeeds', async () => {
      stack().spotify.options.faults.push({
        endpoint: 'playlist',
        status: 429,
        retryAfterSeconds: 3600,
        times: 1,
      });
      const result = await run();
      expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
      expect(retriesOf(result)).toBe(1);
      expect(stack().spotify.count('playlist')).toBe(2);
      expect(await publishedFiles(result.bucketDir)).toEqual(published());
    });
  });
});
