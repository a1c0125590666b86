import { z } from 'zod';
import { describeValue, isRecord, raise } from './problems.js';

// The client property lists of the connector kinds (`spec.properties` of the Kafka kinds,
// `clientConfigProperties` of the Kinesis kinds): single-entry mappings, each key known with the rule its value
// follows. A key that is not known is an error, like an unknown field, so that a property that would be silently
// ignored cannot pass.

/** What the value of a property must be. */
export type ValueRule =
  | { readonly type: 'text' }
  | { readonly type: 'positive-integer' }
  | { readonly type: 'one-of'; readonly values: readonly string[] }
  | { readonly type: 'custom'; readonly check: (value: string) => string | undefined }
  /** Known, accepted with any value, and without effect here (a warning says so when the module loads). */
  | { readonly type: 'no-effect'; readonly why: string };

export const TEXT: ValueRule = { type: 'text' };
export const POSITIVE_INTEGER: ValueRule = { type: 'positive-integer' };
export const oneOf = (...values: string[]): ValueRule => ({ type: 'one-of', values });

/** The properties of a document: their values as strings, and where each one was written. */
export interface PropertyList {
  /** Property → value, in the order written; numbers and booleans in their string form. */
  readonly values: Map<string, string>;
  /** Property → its index in the list, to point at it in messages. */
  readonly indexes: ReadonlyMap<string, number>;
}

/**
 * A list of single-entry mappings (`- key: value`), each key one of `rules`, set once, with a valid value.
 *
 * @param field - where the list is, for messages: `spec.properties`.
 * @param unknownKey - the message for a key that is not in `rules` (`ERR_CONFIG_UNSUPPORTED_PROPERTY`).
 */
export function propertyList(
  rules: ReadonlyMap<string, ValueRule>,
  field: string,
  unknownKey: (key: string) => string,
) {
  return z.array(z.unknown()).transform((entries, ctx): PropertyList => {
    const values = new Map<string, string>();
    const indexes = new Map<string, number>();
    entries.forEach((entry, i) => {
      const keys = isRecord(entry) ? Object.keys(entry) : [];
      const [key] = keys;
      if (!isRecord(entry) || key === undefined || keys.length > 1) {
        const seen = isRecord(entry) ? `a mapping with ${keys.length} entries` : describeValue(entry);
        raise(
          ctx,
          'ERR_CONFIG_INVALID_VALUE',
          `expected a single-entry mapping (- key: value), got ${seen}; write each property as its own list item`,
          entry,
          { path: [i], showInput: false },
        );
        return;
      }
      const at = { path: [i], entryKey: key };
      const rule = rules.get(key);
      if (rule === undefined) {
        raise(ctx, 'ERR_CONFIG_UNSUPPORTED_PROPERTY', unknownKey(key), undefined, {
          ...at,
          showInput: false,
        });
        return;
      }
      const earlier = indexes.get(key);
      if (earlier !== undefined) {
        raise(
          ctx,
          'ERR_CONFIG_CONFLICTING_FIELDS',
          `is already set by ${field}[${earlier}]; set each property once`,
          undefined,
          { ...at, showInput: false },
        );
        return;
      }
      const raw = entry[key];
      if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
        raise(ctx, 'ERR_CONFIG_INVALID_VALUE', 'expected a string, a number or true/false', raw, { ...at });
        return;
      }
      const value = String(raw);
      const problem = valueProblem(rule, value);
      if (problem !== undefined) {
        raise(ctx, 'ERR_CONFIG_INVALID_VALUE', problem, raw, { ...at });
        return;
      }
      values.set(key, value);
      indexes.set(key, i);
    });
    return { values, indexes };
  });
}

/** What is wrong with `value` under `rule`, or `undefined`. */
function valueProblem(rule: ValueRule, value: string): string | undefined {
  switch (rule.type) {
    case 'text':
      return value.trim() === '' ? 'expected a non-empty value' : undefined;
    case 'positive-integer':
      return /^\d+$/u.test(value) && Number.isSafeInteger(Number(value)) && Number(value) > 0
        ? undefined
        : 'expected a positive integer';
    case 'one-of':
      return rule.values.includes(value)
        ? undefined
        : `expected one of ${rule.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'custom':
      return rule.check(value);
    case 'no-effect':
      return undefined;
  }
}
