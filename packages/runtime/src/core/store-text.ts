/**
 * What text the stores can keep: every identifier a function or a client hands us (address ids, function
 * types, typenames, state names, cancellation tokens) is checked against these rules at the boundary, so a
 * value that one store would refuse never reaches a group commit, where it would fail the effects of others.
 */

/** Limits in UTF-8 bytes. Keys built from them stay below PostgreSQL's btree entry limit (~2,700 bytes). */
export const STORE_TEXT_LIMITS = Object.freeze({
  /** An address id. */
  id: 1024,
  /** A function type or egress id (`namespace/name`) or a typename. */
  typename: 512,
  /** A state name. */
  stateName: 256,
  /** A delayed message's cancellation token. */
  token: 512,
});

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Says why a text cannot be stored, or nothing when it can.
 *
 * @param value - the text.
 * @param maxBytes - its limit in UTF-8 bytes (one of {@link STORE_TEXT_LIMITS}).
 * @returns a phrase that completes "… <what> <phrase>", e.g. `contains a NUL character (U+0000)…`.
 */
export function storeTextProblem(value: string, maxBytes: number): string | undefined {
  if (value.includes('\u0000'))
    return 'contains a NUL character (U+0000), which the store cannot keep in text';
  if (UNPAIRED_SURROGATE.test(value))
    return 'contains an unpaired UTF-16 surrogate (it is not valid Unicode)';
  // A UTF-8 byte count is at most 3 per UTF-16 unit: skip the exact count for short strings.
  if (value.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > maxBytes) return `is ${bytes} bytes long (UTF-8), over the limit of ${maxBytes}`;
  }
  return undefined;
}
