import { REDACTED, redactSecrets, redactUrl, safeDetail, truncate } from '../../functions/commons/redact';

/** A Spotify-like access token: `BQ` and well over 100 base64url characters. */
const ACCESS_TOKEN = `BQ${'Ab3_x-Zq9'.repeat(20)}`;
const REFRESH_TOKEN = `AQ${'Cd4-Yw8_z'.repeat(15)}`;

describe('redactSecrets', () => {
  it.each([
    ['an Authorization header line', `Authorization: Bearer ${ACCESS_TOKEN}`, ACCESS_TOKEN],
    [
      'an echoed JSON header',
      `{"authorization":"Basic aWQ6c2VjcmV0LXZhbHVl","accept":"*/*"}`,
      'aWQ6c2VjcmV0LXZhbHVl',
    ],
    ['a Bearer value on its own', `got Bearer abc.def-123 from you`, 'abc.def-123'],
    ['a Basic value on its own', 'basic aWQ6c2VjcmV0 was sent', 'aWQ6c2VjcmV0'],
    ['a form body', 'grant_type=refresh_token&refresh_token=short-refresh&client_id=x', 'short-refresh'],
    ['a JSON client secret', '{"client_secret": "s3cret!"}', 's3cret!'],
    ['a proxy header', 'Proxy-Authorization: Basic dXNlcjpwdw==', 'dXNlcjpwdw=='],
    ['a URL password', 'connect to http://user:p%40ss@proxy.local:8080/x failed', 'p%40ss'],
    ['a password with an @ in it', 'http://user:p@ss@proxy.local/', 'p@ss'],
    ['a query code', 'redirected to https://example.com/cb?state=1&code=one-time-code', 'one-time-code'],
    ['a fragment token', 'https://example.com/cb#access_token=frag-token&x=1', 'frag-token'],
    ['a quoted JSON token', '{"token": "opaque-value"}', 'opaque-value'],
    ['a long opaque token', `unexpected ${ACCESS_TOKEN} in body`, ACCESS_TOKEN],
    [
      'a JSON Web Token',
      'id eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl here',
      'eyJhbGciOiJIUzI1NiJ9',
    ],
  ])('removes %s', (_what, text, secret) => {
    const redacted = redactSecrets(text);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain(REDACTED);
  });

  it('removes known secrets wherever they are, however they look, and URL-encoded', () => {
    const secret = 'plain words+and/more';
    const text = `echo: ${secret} / ${encodeURIComponent(secret)} / ${new URLSearchParams({ s: secret }).toString()}`;
    const redacted = redactSecrets(text, [secret, undefined]);
    expect(redacted).not.toContain('plain words');
    expect(redacted).not.toContain('plain%20words');
    expect(redacted).not.toContain('plain+words');
  });

  it('removes a refresh token it knows even when nothing marks it as one', () => {
    expect(redactSecrets(`token was ${REFRESH_TOKEN}.`, [REFRESH_TOKEN])).toBe(`token was ${REDACTED}.`);
  });

  it('ignores known secrets too short to search for, rather than redacting ordinary text', () => {
    expect(redactSecrets('the value is 42', ['42', ''])).toBe('the value is 42');
  });

  it('keeps what people need to read: ids, dates, UUIDs, messages, status codes', () => {
    const text =
      'Spotify answered HTTP 404 to /v1/playlists/37i9dQZEVXbMDoHDwVN2tF/items?limit=50&offset=0: ' +
      'Resource not found (run 2f0c6d1e-8a1b-4c3d-9e8f-0123456789ab, 2026-11-24T06:00:00.000Z, error code: 7)';
    expect(redactSecrets(text)).toBe(text);
  });

  it('leaves text without secrets untouched', () => {
    expect(redactSecrets('')).toBe('');
    expect(redactSecrets('invalid_client: Invalid client secret')).toBe(
      'invalid_client: Invalid client secret',
    );
  });
});

describe('redactUrl', () => {
  it('drops the userinfo password but keeps the user and the rest as written', () => {
    expect(redactUrl('http://user:secret@127.0.0.1:8080')).toBe(`http://user:${REDACTED}@127.0.0.1:8080`);
    expect(redactUrl('https://api.spotify.com')).toBe('https://api.spotify.com');
    expect(redactUrl('http://127.0.0.1:8080/spotify/')).toBe('http://127.0.0.1:8080/spotify/');
    expect(redactUrl('http://user@host/')).toBe('http://user@host/');
  });

  it.each(['code', 'access_token', 'refresh_token', 'client_secret', 'token'])(
    'replaces the value of %s in the query',
    (name) => {
      expect(redactUrl(`https://host/cb?state=xyz&${name}=value-1&limit=5`)).toBe(
        `https://host/cb?state=xyz&${name}=${REDACTED}&limit=5`,
      );
      expect(redactUrl(`https://host/cb?${name}=value-1`)).toBe(`https://host/cb?${name}=${REDACTED}`);
    },
  );

  it('leaves other parameters alone, including ones that end like a secret one', () => {
    const url = 'https://host/v1/x?limit=50&offset=100&postcode=12345&next_token_hint=3';
    expect(redactUrl(url)).toBe(url);
  });

  it('never throws, even for what is not a URL', () => {
    expect(redactUrl('not a url')).toBe('not a url');
    expect(redactUrl('file:///etc/passwd')).toBe('file:///etc/passwd');
  });
});

describe('safeDetail and truncate', () => {
  it('cuts long text with a mark', () => {
    expect(truncate('abcdef', 3)).toBe('abc…');
    expect(truncate('abc', 3)).toBe('abc');
  });

  it('redacts before cutting, so a secret cut in half is not left behind', () => {
    const text = `${'x '.repeat(140)}Bearer ${ACCESS_TOKEN}`;
    const detail = safeDetail(text, [], 300);
    expect(detail.length).toBeLessThanOrEqual(301);
    expect(detail).not.toContain(ACCESS_TOKEN.slice(0, 12));
  });

  it('works in bounded time on a huge body, dropping the word the first cut went through', () => {
    const huge = `${'a'.repeat(5_000_000)}${ACCESS_TOKEN}`;
    const started = Date.now();
    const detail = safeDetail(huge, [ACCESS_TOKEN], 300);
    expect(Date.now() - started).toBeLessThan(500);
    expect(detail.length).toBeLessThanOrEqual(301);
    expect(detail).not.toContain('BQ');
  });
});
