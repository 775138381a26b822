/**
 * Keeps credentials out of what people read: error messages, log lines, manifests and alerts.
 * Pure functions over text; they never throw. What they remove is replaced by REDACTED, so a
 * reader still sees that something was there.
 */

export const REDACTED = '[redacted]';

/** Query (and fragment) parameters whose values are credentials or one-time codes. */
const SECRET_PARAMETERS = ['code', 'access_token', 'refresh_token', 'client_secret', 'token'] as const;

/** Keys whose value is a credential wherever they appear: `key=value`, `"key": "value"`, `key: value`. */
const SECRET_KEYS = [
  'authorization',
  'proxy-authorization',
  'access_token',
  'refresh_token',
  'client_secret',
  'id_token',
  'password',
];

/** Shorter known secrets are not searched for: they would match ordinary text. */
const MIN_KNOWN_SECRET_LENGTH = 6;

const keyAlternatives = SECRET_KEYS.map((key) => key.replace(/[-_]/g, '[-_]')).join('|');

/**
 * `"authorization":"Basic abc"`, `authorization: Bearer abc`, `refresh_token=abc&...`. The key must not
 * be the tail of a longer word, and the value ends at a quote, `&`, `,`, `;`, `}` or white space.
 */
const KEY_VALUE = new RegExp(
  `(^|[^A-Za-z0-9_-])((?:${keyAlternatives})["']?\\s*[:=]\\s*["']?)(?:(?:basic|bearer)\\s+)?[^"'&,;}\\s]+`,
  'gi',
);
/** `"code": "..."` and `"token": "..."` only as quoted JSON keys: as words they are too common. */
const QUOTED_WEAK_KEY = /("(?:code|token)"\s*:\s*")[^"]*"/gi;
/** The same parameters in a URL's query or fragment: `?code=...`, `#access_token=...`. */
const SECRET_PARAMETER = new RegExp(`(^|[?&#])(${SECRET_PARAMETERS.join('|')})=[^&#\\s"']*`, 'gi');
/** An Authorization value on its own (a header echoed without its name). */
const AUTH_SCHEME = /\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
/** A JSON Web Token: three base64url parts. */
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/**
 * Something that looks like an opaque token: 40 or more base64url characters mixing upper case, lower
 * case and digits. Spotify ids (22 characters), UUIDs, dates and execution names stay readable;
 * Spotify's access (BQ...) and refresh (AQ...) tokens, each well over 100 characters, do not.
 */
const LONG_TOKEN = /[A-Za-z0-9_-]{40,}/g;
const looksLikeToken = (word: string) => /[0-9]/.test(word) && /[a-z]/.test(word) && /[A-Z]/.test(word);
/** `scheme://user:password@host`: the password (up to the last `@`, as URL parsers read it) goes. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*):[^\s/?#]*@/gi;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The forms a known secret takes in an echoed body or URL: as is, URL-encoded, form-encoded. */
function spellings(secret: string): string[] {
  const forms = new Set([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
  ]);
  return [...forms].filter((form) => form.length >= MIN_KNOWN_SECRET_LENGTH);
}

/**
 * `text` without credentials: Authorization values (Basic/Bearer), values of credential keys
 * (`refresh_token=`, `"client_secret":`...), JSON Web Tokens, long opaque tokens, URL passwords,
 * and every occurrence of the `knownSecrets` (the client secret, refresh and access tokens in use).
 */
export function redactSecrets(text: string, knownSecrets: readonly (string | undefined)[] = []): string {
  let result = text;
  const known = knownSecrets
    .filter(
      (secret): secret is string => typeof secret === 'string' && secret.length >= MIN_KNOWN_SECRET_LENGTH,
    )
    .flatMap(spellings)
    // Longest first, so a secret that contains another is removed whole.
    .sort((a, b) => b.length - a.length);
  for (const secret of known) result = result.replace(new RegExp(escapeRegExp(secret), 'g'), REDACTED);
  return result
    .replace(URL_PASSWORD, `$1:${REDACTED}@`)
    .replace(SECRET_PARAMETER, `$1$2=${REDACTED}`)
    .replace(QUOTED_WEAK_KEY, `$1${REDACTED}"`)
    .replace(KEY_VALUE, `$1$2${REDACTED}`)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(LONG_TOKEN, (word) => (looksLikeToken(word) ? REDACTED : word));
}

/**
 * A URL fit to show: the userinfo password and the values of `code`, `access_token`, `refresh_token`,
 * `client_secret` and `token` (in the query or the fragment) replaced, and then `redactSecrets`.
 * Everything else is kept as written (no normalization), so an unchanged URL compares equal.
 */
export function redactUrl(url: string, knownSecrets: readonly (string | undefined)[] = []): string {
  return redactSecrets(url, knownSecrets);
}

/** `text` cut to at most `max` characters, with `…` where it was cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/**
 * Redacted and cut to `max` characters: what any error detail built from a response body goes through.
 * A huge text is first cut well past `max`, dropping the word the cut went through, so that neither the
 * work nor a half secret (too short to be recognized) depends on how much a server sent.
 */
export function safeDetail(
  text: string,
  knownSecrets: readonly (string | undefined)[] = [],
  max = 300,
): string {
  const bound = max * 4;
  const bounded = text.length > bound ? text.slice(0, bound).replace(/[^\s"'<>,;{}()[\]]*$/, '') : text;
  const redacted = redactSecrets(bounded, knownSecrets);
  return bounded.length < text.length && redacted.length <= max ? `${redacted}…` : truncate(redacted, max);
}
