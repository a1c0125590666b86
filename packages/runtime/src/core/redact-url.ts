/**
 * URLs without their secrets, for messages and logs: the user-info password (or, for locations that take no
 * credentials, the whole user-info) and every query parameter whose name looks like a secret (`password`,
 * `sslpassword`, `secret`, `X-Amz-Signature`, `token`, `apiKey`, …) become `***`. Secrets nested in a parameter's
 * value (an `?endpoint=http://user:pw@host`) are masked too.
 */

/** A query parameter name that holds a secret. */
const SECRET_PARAM = /pass|secret|token|sig|credential|key|auth/iu;

const MASK = '***';

/** What {@link redactUrl} masks. */
export interface RedactOptions {
  /** Mask the user name too, not only the password (for URLs that should not hold credentials at all). */
  readonly userInfo?: boolean;
}

/**
 * The URL with its secrets masked.
 *
 * @param url - any URL, e.g. `postgres://u:pw@host/db?sslpassword=x`.
 * @param options - whether the user name is masked too.
 * @returns the URL with secrets replaced by `***`, or a placeholder when it does not parse (it could be anything).
 */
export function redactUrl(url: string, options: RedactOptions = {}): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(a URL that does not parse)';
  }
  if (options.userInfo === true && parsed.username !== '') parsed.username = MASK;
  if (parsed.password !== '') parsed.password = MASK;
  // The query is rewritten by hand, so what is not a secret keeps its original spelling.
  const [query, hash] = [parsed.search, parsed.hash];
  parsed.search = '';
  parsed.hash = '';
  return `${parsed.toString()}${query === '' ? '' : `?${redactQuery(query.slice(1), options)}`}${hash}`;
}

function redactQuery(query: string, options: RedactOptions): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = safeDecode(pair.slice(0, eq));
      const value = safeDecode(pair.slice(eq + 1));
      if (SECRET_PARAM.test(name)) return `${pair.slice(0, eq)}=${MASK}`;
      if (/^[a-z][a-z0-9+.-]*:\/\//iu.test(value)) return `${pair.slice(0, eq)}=${redactUrl(value, options)}`;
      return pair;
    })
    .join('&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

/**
 * A URL-like text (a snapshot location, an endpoint) without its secrets: URLs as {@link redactUrl} with the whole
 * user-info masked; anything else (a directory path) as it is, except for a `user:password@` before a host.
 *
 * @param text - what the user gave.
 * @returns the text safe to print.
 */
export function redactLocation(text: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//iu.test(text)) {
    const redacted = redactUrl(text, { userInfo: true });
    if (!redacted.startsWith('(')) return redacted;
    // An unparsable URL: keep the scheme and mask everything that could be user-info or a query.
    return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/iu, `$1${MASK}@`).replace(/\?.*$/su, '?…');
  }
  return text;
}

/**
 * Free text (an error message) with every URL in it passed through {@link redactLocation}.
 *
 * @param text - e.g. an error's message.
 * @returns the text safe to log.
 */
export function redactUrlsIn(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/giu, (url) => redactLocation(url));
}
