import {
  expiryWarnings,
  parseStoredRefreshToken,
  REFRESH_TOKEN_LIFETIME_MONTHS,
  serializeStoredRefreshToken,
} from '../../functions/commons/clients/credentials';
import { ConfigurationError } from '../../functions/commons/errors';

const INVALID_JSON =
  'The stored Spotify refresh token is neither a token nor valid JSON; run `npm run spotify:authorize` again.';
const NO_TOKEN =
  'The stored Spotify refresh token JSON lacks "refreshToken"; run `npm run spotify:authorize` again.';

describe('parseStoredRefreshToken', () => {
  it('reads a plain token (as earlier versions stored it), trimmed', () => {
    expect(parseStoredRefreshToken('AQD-token_value')).toEqual({ refreshToken: 'AQD-token_value' });
    expect(parseStoredRefreshToken('  AQD-token\n')).toEqual({ refreshToken: 'AQD-token' });
  });

  it('reads the JSON form with and without the authorization date', () => {
    expect(
      parseStoredRefreshToken('{"refreshToken":"AQD","authorizedAt":"2026-01-01T00:00:00.000Z"}'),
    ).toEqual({
      refreshToken: 'AQD',
      authorizedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(parseStoredRefreshToken(' {"refreshToken":"AQD"}\n')).toEqual({ refreshToken: 'AQD' });
  });

  it('drops unknown fields of the JSON form', () => {
    expect(parseStoredRefreshToken('{"refreshToken":"AQD","scope":"user-top-read"}')).toEqual({
      refreshToken: 'AQD',
    });
  });

  it('round-trips what serializeStoredRefreshToken writes', () => {
    const stored = { refreshToken: 'AQD', authorizedAt: '2026-01-01T00:00:00.000Z' };
    expect(serializeStoredRefreshToken(stored)).toBe(
      '{"refreshToken":"AQD","authorizedAt":"2026-01-01T00:00:00.000Z"}',
    );
    expect(parseStoredRefreshToken(serializeStoredRefreshToken(stored))).toEqual(stored);
    expect(parseStoredRefreshToken(serializeStoredRefreshToken({ refreshToken: 'x' }))).toEqual({
      refreshToken: 'x',
    });
  });

  it.each([
    ['broken JSON', '{"refreshToken":', INVALID_JSON],
    ['JSON without the token', '{"authorizedAt":"2026-01-01"}', NO_TOKEN],
    ['an empty token', '{"refreshToken":""}', NO_TOKEN],
    ['a non-string token', '{"refreshToken":42}', NO_TOKEN],
    ['a non-string date', '{"refreshToken":"AQD","authorizedAt":5}', NO_TOKEN],
  ])('refuses %s as a configuration error', (_label, value, message) => {
    expect(() => parseStoredRefreshToken(value)).toThrow(ConfigurationError);
    expect(() => parseStoredRefreshToken(value)).toThrow(message);
  });

  // BUG (minor): an empty or blank stored value is read as the token "" (functions/commons/clients/
  // credentials.ts, parseStoredRefreshToken: `if (!text.startsWith('{')) return { refreshToken:
  // text }`), while the JSON form with an empty token is refused. An empty SPOTIFY_TOKEN_FILE then
  // overrides SPOTIFY_REFRESH_TOKEN and Spotify answers invalid_grant. Fix: throw the NO_TOKEN
  // ConfigurationError when `text === ''`.
  it('refuses an empty stored value', () => {
    expect(() => parseStoredRefreshToken('  \n')).toThrow(ConfigurationError);
  });
});

describe('expiryWarnings', () => {
  const authorizedAt = '2026-01-01T00:00:00.000Z';
  // 5 months of 30.44 days after the authorization: 2026-06-02T04:48:00Z.
  const warnFrom = Date.parse('2026-06-02T04:48:00.000Z');
  const warning =
    'The Spotify authorization of 2026-01-01 expires around 2026-07-02 (refresh tokens last six months from the ' +
    'authorization, however often they are used). Run `npm run spotify:authorize` and store the new refresh ' +
    'token before then.';

  it('says nothing in the first five months', () => {
    expect(expiryWarnings(authorizedAt, new Date(authorizedAt))).toEqual([]);
    expect(expiryWarnings(authorizedAt, new Date('2026-05-31T00:00:00Z'))).toEqual([]);
    expect(expiryWarnings(authorizedAt, new Date(warnFrom - 1000))).toEqual([]);
  });

  it('warns on every run from five months on, naming the expiry date', () => {
    expect(REFRESH_TOKEN_LIFETIME_MONTHS).toBe(6);
    expect(expiryWarnings(authorizedAt, new Date(warnFrom + 1000))).toEqual([warning]);
    expect(expiryWarnings(authorizedAt, new Date('2026-07-01T00:00:00Z'))).toEqual([warning]);
    expect(expiryWarnings(authorizedAt, new Date('2027-01-01T00:00:00Z'))).toEqual([warning]);
  });

  it('names the day the user authorized, whatever the time of day', () => {
    const [message] = expiryWarnings('2025-08-15T22:10:00.000Z', new Date('2026-02-01T00:00:00Z'));
    expect(message).toMatch(/^The Spotify authorization of 2025-08-15 expires around 2026-02-14 /);
  });

  it.each([
    ['unknown', undefined],
    ['unreadable', 'last spring'],
    ['empty', ''],
  ])('says nothing when the authorization date is %s', (_label, value) => {
    expect(expiryWarnings(value, new Date('2030-01-01T00:00:00Z'))).toEqual([]);
  });

  it('says nothing for an authorization dated in the future', () => {
    expect(expiryWarnings('2027-01-01T00:00:00Z', new Date('2026-01-01T00:00:00Z'))).toEqual([]);
  });
});
