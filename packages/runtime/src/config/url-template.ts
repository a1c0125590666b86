import { ConfigError } from '../errors.js';

/** The only placeholder of `urlPathTemplate`; every occurrence is replaced by the function type's name. */
export const FUNCTION_NAME_PLACEHOLDER = '{function.name}';

/** Where to send the requests of one function type. */
export interface EndpointTarget {
  /**
   * The URL to POST to. For a unix domain socket endpoint the host is `localhost` and only the path matters;
   * the connection must go to {@link EndpointTarget.socketPath}.
   */
  readonly url: string;
  /** Path of the unix domain socket to connect to; present only for `http+unix` / `https+unix` templates. */
  readonly socketPath?: string;
}

const SCHEMES = ['http', 'https', 'http+unix', 'https+unix'] as const;

/**
 * Checks a `urlPathTemplate`, expanding it with a sample function name.
 *
 * @param template - the template as written.
 * @returns a sentence saying what is wrong, or `undefined` when it is valid.
 */
export function checkUrlTemplate(template: string): string | undefined {
  const placeholder = template.match(/\{[^}]*\}/gu)?.find((p) => p !== FUNCTION_NAME_PLACEHOLDER);
  if (placeholder !== undefined) {
    return `unknown placeholder ${JSON.stringify(placeholder)}; the only placeholder is ${FUNCTION_NAME_PLACEHOLDER}`;
  }
  const target = toTarget(template.replaceAll(FUNCTION_NAME_PLACEHOLDER, 'name'));
  return typeof target === 'string' ? target : undefined;
}

/**
 * Refuses credentials (`user:password@`) in an endpoint URL: the invoker does not send them, and every log line about
 * the endpoint would print them.
 *
 * @param template - the template as written.
 * @returns a sentence saying what is wrong and what to do, or `undefined` when the URL holds no credentials.
 */
export function checkUrlCredentials(template: string): string | undefined {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/iu.exec(template)?.[1];
  if (authority === undefined || !authority.includes('@')) return undefined;
  return (
    'an endpoint URL must not hold credentials (user:password@): they are not sent and would show in logs; ' +
    'put credentials in a proxy or use signed calls (see docs/security.md)'
  );
}

/**
 * A URL with the user-info masked (`http://***@host/…`), for messages; the rest stays as written.
 *
 * @param url - a URL or template as written.
 */
export function maskUrlCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/iu, '$1***@');
}

/**
 * Expands a `urlPathTemplate` for one function name: every `{function.name}` becomes the URL-encoded name
 * (names made of letters, digits, `.`, `-`, `_` are unchanged). `http+unix:///run/fn.sock/path` (and
 * `https+unix`, which also speaks plain HTTP, as in StateFun) connects to the socket file `/run/fn.sock`
 * (the path up to the first segment ending in `.sock`) and sends `POST /path` (default `/`); unlike StateFun,
 * a multi-segment path is sent as is rather than with percent-encoded slashes.
 *
 * @param template - a template that passed {@link checkUrlTemplate}.
 * @param name - the name part of the function type.
 * @returns the URL, and the socket path for unix domain sockets.
 * @throws {@link ConfigError} `ERR_CONFIG_INVALID_URL` when the name makes the URL invalid (e.g. a
 *   placeholder in the host and a name that is not a valid host name).
 */
export function expandUrlTemplate(template: string, name: string): EndpointTarget {
  const target = toTarget(template.replaceAll(FUNCTION_NAME_PLACEHOLDER, encodeURIComponent(name)));
  if (typeof target === 'string') {
    throw new ConfigError(
      'ERR_CONFIG_INVALID_URL',
      `urlPathTemplate ${JSON.stringify(template)} gives an invalid URL for the function name ` +
        `${JSON.stringify(name)}: ${target}. Move ${FUNCTION_NAME_PLACEHOLDER} into the URL path.`,
    );
  }
  return target;
}

/**
 * Checks the URL of an HTTP egress (webhook).
 *
 * @param url - the URL as written.
 * @returns a sentence saying what is wrong, or `undefined` when it is an absolute http(s) URL.
 */
export function checkHttpUrl(url: string): string | undefined {
  const target = toTarget(url);
  if (typeof target === 'string') return target;
  return target.socketPath === undefined ? undefined : 'expected an http:// or https:// URL';
}

function toTarget(expanded: string): EndpointTarget | string {
  const scheme = /^([a-z][a-z0-9+.-]*):/iu.exec(expanded)?.[1]?.toLowerCase();
  if (scheme === undefined || !(SCHEMES as readonly string[]).includes(scheme)) {
    return scheme === undefined
      ? `expected an absolute URL starting with ${SCHEMES.map((s) => `${s}://`).join(', ')}`
      : `unsupported scheme "${scheme}"; expected one of ${SCHEMES.join(', ')}`;
  }
  if (scheme.endsWith('+unix')) return toUnixTarget(expanded.slice(scheme.length + 1));
  // URL.parse would be neater but needs Node 20.18; we support 20.10.
  if (!URL.canParse(expanded)) return 'not a valid URL';
  if (new URL(expanded).hostname === '') return 'the URL has no host';
  return { url: expanded };
}

function toUnixTarget(rest: string): EndpointTarget | string {
  const usage = 'expected http+unix:///<path to socket>.sock/<http path>';
  if (!rest.startsWith('///')) return usage;
  const segments = rest.slice(3).split('/');
  const socketEnd = segments.findIndex((segment) => segment.endsWith('.sock'));
  if (socketEnd < 0) return `${usage} (no path segment ends in ".sock")`;
  const socketPath = `/${segments.slice(0, socketEnd + 1).join('/')}`;
  const url = `http://localhost/${segments.slice(socketEnd + 1).join('/')}`;
  if (!URL.canParse(url)) return `${usage} (the HTTP path is not valid)`;
  return { url, socketPath };
}
