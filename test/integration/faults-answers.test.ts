import { TOP_50_GLOBAL_PLAYLIST_ID } from '../../functions/commons/domain/sources';
import { manifestOf, publishedChartDay, retriesOf, startTinyServer } from './faults-support';

/**
 * What Spotify (or something in its place) answers that is not the documented JSON, and what it
 * refuses, through whole local executions of an extended-quota app reading the Top 50: each fails
 * the run with the error's own name and a message that says what to do, without retries that
 * cannot help, and leaves the published files as they were.
 */
const DAY = '2026-05-02';

describe('answers and refusals, whole executions', () => {
  const { stack, expectFailure } = publishedChartDay(DAY);

  describe('answers that are not the documented JSON', () => {
    it('malformed JSON: InvalidSpotifyPayload, not retried', async () => {
      stack().spotify.options.faults.push({ endpoint: 'playlist', malformed: true });
      const failed = await expectFailure('InvalidSpotifyPayload');
      expect(failed.cause).toContain('is not valid JSON');
      expect(failed.cause).toContain('SPOTIFY_API_URL');
      expect(stack().spotify.count('playlist')).toBe(1);
      expect(retriesOf(failed)).toBe(0);
    });

    it('an HTML page with status 200 (a captive portal, a misconfigured proxy): InvalidSpotifyPayload', async () => {
      stack().spotify.options.faults.push({ endpoint: 'playlist', status: 200, html: true });
      const failed = await expectFailure('InvalidSpotifyPayload');
      expect(failed.cause).toContain('is not valid JSON (starts with "<!DOCTYPE html>');
      expect(stack().spotify.count('playlist')).toBe(1);
    });

    it('JSON of the wrong shape: InvalidSpotifyPayload naming the field', async () => {
      stack().spotify.options.faults.push({
        endpoint: 'playlist',
        body: { id: TOP_50_GLOBAL_PLAYLIST_ID, name: 42 },
      });
      const failed = await expectFailure('InvalidSpotifyPayload');
      expect(failed.cause).toContain('does not have the documented shape');
      expect(failed.cause).toContain('name');
      expect(stack().spotify.count('playlist')).toBe(1);
    });

    it('a token answer of the wrong shape: InvalidSpotifyPayload, no API call made', async () => {
      stack().spotify.options.faults.push({ endpoint: 'token', body: { token_type: 'Bearer' } });
      const failed = await expectFailure('InvalidSpotifyPayload');
      expect(failed.cause).toContain('token payload from /api/token does not have the documented shape');
      expect(failed.cause).toContain('access_token');
      expect(stack().spotify.count('playlist')).toBe(0);
    });
  });

  describe('refusals', () => {
    it('bad client secret: SpotifyAuthError points at the credentials, without retrying', async () => {
      const failed = await expectFailure('SpotifyAuthError', {
        spotify: { ...stack().spotify.target(), clientSecret: 'revoked-secret' },
      });
      expect(failed.cause).toContain('invalid_client');
      expect(failed.cause).toContain('SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET');
      expect(stack().spotify.count('token')).toBe(1);
      expect(retriesOf(failed)).toBe(0);
    });

    it('an app that lost extended quota: the Top 50 answers 404, SpotifyPlaylistNotAccessible names the fixes', async () => {
      stack().spotify.options.mode = 'development';
      const failed = await expectFailure('SpotifyPlaylistNotAccessible');
      expect(failed.cause).toContain(TOP_50_GLOBAL_PLAYLIST_ID);
      expect(failed.cause).toContain('HTTP 404');
      expect(failed.cause).toContain('27 Nov 2024');
      expect(failed.cause).toContain('extended-quota app');
      expect(failed.cause).toContain('npm run spotify:authorize');
      // Not worth retrying: one playlist request only.
      expect(stack().spotify.count('playlist')).toBe(1);
      expect(retriesOf(failed)).toBe(0);
    });

    it('a redirect from the token endpoint is not followed: the refresh token never reaches the other host', async () => {
      const elsewhere = await startTinyServer();
      const accounts = await startTinyServer(() => ({
        status: 307,
        headers: { location: `${elsewhere.url}/api/token?session=abc123` },
      }));
      try {
        const refreshToken = stack().spotify.grantRefreshToken();
        const failed = await expectFailure('InvalidSpotifyPayload', {
          sources: ['me:top-tracks:short_term'],
          spotify: {
            apiUrl: stack().spotify.url,
            accountsUrl: accounts.url,
            clientId: stack().spotify.options.clientId,
            refreshToken,
          },
        });
        expect(failed.cause).toContain('HTTP 307');
        expect(failed.cause).toContain(`${elsewhere.url}/api/token`);
        expect(failed.cause).not.toContain('abc123');
        expect(failed.cause).toContain('SPOTIFY_ACCOUNTS_URL');
        expect(elsewhere.requests).toEqual([]);
        // Asked once: a redirect is an answer, not a transient fault.
        expect(accounts.requests).toHaveLength(1);
        expect(accounts.requests[0]?.body).toContain(refreshToken);
        expect(stack().spotify.count()).toBe(0);
        expect(manifestOf(failed).status).toBe('failed');
      } finally {
        await elsewhere.close();
        await accounts.close();
      }
    });
  });
});
