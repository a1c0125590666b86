/**
 * The API tokens file (`statehouse run --api-tokens FILE`), YAML or JSON:
 *
 * ```yaml
 * tokens:
 *   - name: shop-frontend
 *     token: "…at least 16 characters…"   # or sha256: "<hex of the token's SHA-256>"
 *     scopes: [ingress]
 *     functionTypes: ["example/cart*"]
 *     rate: 100/s        # optional: a token bucket of 100 requests a second…
 *     burst: 200         # …holding at most 200 (default: the rate's number)
 *   - name: ops
 *     sha256: "…"
 *     scopes: [read, admin]
 * metrics: open        # or read: /metrics needs a token with read
 * ```
 *
 * Checked strictly, like module.yaml: an unknown field, a short token or a repeated name is an error naming it.
 */
import { parse } from 'yaml';
import { z } from 'zod';

import type { ApiAuthConfig, ApiTokenConfig } from '../api/api-auth.js';
import { ConfigError } from '../errors.js';
import { parseRate } from '../api/token-bucket.js';
import { describeYamlError } from './yaml-error.js';

/** The shortest token accepted: shorter ones can be guessed. */
export const MIN_TOKEN_LENGTH = 16;

const RATE_EXPECTED = 'expected requests per second, minute or hour, e.g. 100/s or 600/m';

const tokenSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/u, 'expected 1-100 letters, digits, ".", "_" or "-"'),
    token: z
      .string()
      .min(MIN_TOKEN_LENGTH, `expected at least ${MIN_TOKEN_LENGTH} characters`)
      .regex(/^\S+$/u, 'expected no whitespace')
      .optional(),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/u, 'expected a SHA-256 in lowercase hex')
      .optional(),
    scopes: z
      .array(z.enum(['ingress', 'read', 'admin']))
      .min(1, 'expected at least one of ingress, read, admin'),
    functionTypes: z
      .array(z.string().regex(/^[^/\s]+\/[^/\s]+$/u, 'expected namespace/name, with * as a wildcard'))
      .min(1)
      .optional(),
    rate: z
      .string({ error: RATE_EXPECTED })
      .refine((r) => parseRate(r) !== undefined, RATE_EXPECTED)
      .optional(),
    burst: z.number().int().min(1, 'expected a positive whole number').max(1_000_000_000).optional(),
  })
  .refine((t) => (t.token === undefined) !== (t.sha256 === undefined), 'give exactly one of token and sha256')
  .refine((t) => t.burst === undefined || t.rate !== undefined, {
    message: 'burst needs a rate (e.g. rate: 100/s)',
    path: ['burst'],
  });

/** The schema of {@link ApiAuthConfig}, shared by the file and the `apiAuth` runtime option. */
export const apiAuthSchema = z
  .strictObject({
    tokens: z.array(tokenSchema).min(1, 'expected at least one token'),
    metrics: z.enum(['open', 'read']).optional(),
  })
  .refine((c) => new Set(c.tokens.map((t) => t.name)).size === c.tokens.length, 'token names must be unique');

/**
 * Checks an access configuration.
 *
 * @param input - the parsed file or the `apiAuth` option.
 * @param where - the file or option, for messages.
 * @returns the configuration.
 * @throws {@link ConfigError} `ERR_CONFIG_INVALID_OPTION` (option `apiAuth`) naming the field.
 */
export function checkApiAuth(input: unknown, where: string): ApiAuthConfig {
  const parsed = apiAuthSchema.safeParse(input);
  if (parsed.success) return parsed.data as ApiAuthConfig;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.join('.');
  throw new ConfigError(
    'ERR_CONFIG_INVALID_OPTION',
    `${where}: ${path === '' ? '' : `${path}: `}${issue.message}`,
    {
      option: 'apiAuth',
    },
  );
}

/**
 * Reads an API tokens file.
 *
 * @param text - its content.
 * @param path - its path, for messages.
 * @returns the configuration.
 * @throws {@link ConfigError} `ERR_CONFIG_INVALID_OPTION` when it is not YAML or not valid.
 */
export function parseApiTokensFile(text: string, path: string): ApiAuthConfig {
  let input: unknown;
  try {
    input = parse(text);
  } catch (err) {
    throw new ConfigError(
      'ERR_CONFIG_INVALID_OPTION',
      `API tokens file ${path}: not valid YAML: ${describeYamlError(err)} (the file is YAML or JSON; see docs/security.md)`,
      {
        option: 'apiAuth',
      },
    );
  }
  return checkApiAuth(input, `API tokens file ${path}`);
}

/**
 * The token of `STATEHOUSE_API_TOKEN`, with every scope.
 *
 * @param token - the variable's value.
 * @returns the token's configuration.
 */
export function environmentToken(token: string): ApiTokenConfig {
  return { name: 'STATEHOUSE_API_TOKEN', token, scopes: ['ingress', 'read', 'admin'] };
}
