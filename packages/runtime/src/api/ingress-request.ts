/**
 * What an ingress request names, checked before its body is read: the target address from the path, the
 * typename from the `statefun-type` header and the optional `idempotency-key` header.
 */
import type { IncomingMessage } from 'node:http';

import { checkTypeName, parseTypeName, type TypeNameFault } from '@statehouse/protocol';

import type { FunctionAddress } from '../core/address.js';
import { STORE_TEXT_LIMITS, storeTextProblem } from '../core/store-text.js';
import { ApiError } from '../errors.js';
import { decodeSegments, header } from './http-io.js';

const MAX_IDEMPOTENCY_KEY = 512;

/**
 * Control characters (C0, DEL, C1). StateFun's rule says nothing of them, but a typename with one cannot be
 * written in module.yaml or shown in a log line as it is, so ingress refuses them as it refuses whitespace.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/** What is wrong with the decoded function type of an ingress path, for each fault of the typename rule. */
const PATH_TYPE_FAULT: Readonly<Record<TypeNameFault, string>> = {
  'slash-count': 'has a "/" inside its namespace or name (an encoded %2F)',
  'empty-part': 'has an empty namespace or name',
  whitespace: 'contains whitespace or a control character',
};

/**
 * The target address of an ingress path (`{namespace}/{name}/{id}`). The decoded namespace and name must form a
 * typename by the rule of `@statehouse/protocol`, so an encoded `/` or whitespace in them is refused.
 *
 * @param parts - the path segments after `/v1/ingress`, still percent-encoded.
 * @param maxIdBytes - the longest id, UTF-8 bytes (at most the store's {@link STORE_TEXT_LIMITS}`.id`).
 * @throws {@link ApiError} 400 `ERR_API_MALFORMED_PATH`
 */
export function ingressTarget(parts: string[], maxIdBytes: number = STORE_TEXT_LIMITS.id): FunctionAddress {
  if (parts.length !== 3 || parts[0] === '' || parts[1] === '' || parts[2] === '') {
    throw new ApiError(
      400,
      'ERR_API_MALFORMED_PATH',
      'the ingress path must be /v1/ingress/{namespace}/{name}/{id} with a non-empty id (percent-encode "/" inside the id)',
    );
  }
  const [namespace, name, id] = decodeSegments(parts);
  const type = `${namespace}/${name}`;
  const checked = CONTROL.test(type) ? ({ fault: 'whitespace' } as const) : checkTypeName(type);
  if ('fault' in checked) {
    throw new ApiError(
      400,
      'ERR_API_MALFORMED_PATH',
      `the function type ${JSON.stringify(type.slice(0, 100))} in the ingress path ${PATH_TYPE_FAULT[checked.fault]}; use /v1/ingress/{namespace}/{name}/{id} with a typename namespace/name (no "/" or whitespace inside either part, e.g. com.example/cart) and percent-encode only the id`,
    );
  }
  const pathProblem = storeTextProblem(type, STORE_TEXT_LIMITS.typename) ?? storeTextProblem(id!, maxIdBytes);
  if (pathProblem !== undefined) {
    throw new ApiError(
      400,
      'ERR_API_MALFORMED_PATH',
      `the target address in the ingress path ${pathProblem}; ids are at most ${maxIdBytes} bytes (the maxIdBytes option, --max-id-bytes) and function types ${STORE_TEXT_LIMITS.typename} bytes of valid Unicode text without NUL`,
    );
  }
  return { type, id: id! };
}

/**
 * The typename of an ingress body, from its statefun-type header.
 *
 * @throws {@link ApiError} 400 `ERR_API_MISSING_TYPE` or `ERR_API_MALFORMED_TYPE`
 */
export function ingressTypename(req: IncomingMessage): string {
  const typeHeader = header(req, 'statefun-type');
  if (typeHeader === undefined || typeHeader === '') {
    throw new ApiError(
      400,
      'ERR_API_MISSING_TYPE',
      'the statefun-type header is required: the typename of the value, e.g. statefun-type: example/AddToCart',
    );
  }
  if (
    parseTypeName(typeHeader) === undefined ||
    CONTROL.test(typeHeader) ||
    storeTextProblem(typeHeader, STORE_TEXT_LIMITS.typename) !== undefined
  ) {
    throw new ApiError(
      400,
      'ERR_API_MALFORMED_TYPE',
      `statefun-type ${JSON.stringify(typeHeader.slice(0, 100))} is not a typename; use namespace/name with exactly one "/" and no whitespace or control characters (at most ${STORE_TEXT_LIMITS.typename} bytes), e.g. example/AddToCart`,
    );
  }
  return typeHeader;
}

/**
 * The optional idempotency-key header of an ingress request.
 *
 * @throws {@link ApiError} 400 `ERR_API_MALFORMED_IDEMPOTENCY_KEY`
 */
export function ingressIdempotencyKey(req: IncomingMessage): string | undefined {
  const idempotencyKey = header(req, 'idempotency-key');
  if (
    idempotencyKey !== undefined &&
    (idempotencyKey === '' || idempotencyKey.length > MAX_IDEMPOTENCY_KEY)
  ) {
    throw new ApiError(
      400,
      'ERR_API_MALFORMED_IDEMPOTENCY_KEY',
      `the idempotency-key header must be 1 to ${MAX_IDEMPOTENCY_KEY} characters`,
    );
  }
  return idempotencyKey;
}
