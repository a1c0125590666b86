import { z } from 'zod';
import { DURATION_SYNTAX, parseDuration } from './duration.js';
import { raise } from './problems.js';
import { splitModuleTypename } from './typename.js';

// The field schemas that the specs of several kinds share (module-schema.ts, kafka-schema.ts): strict mappings,
// durations, integers and typenames, each raising a problem that names what is accepted.

/** A mapping that rejects unknown keys, saying which keys it accepts. */
export function strictObject<S extends z.core.$ZodLooseShape>(shape: S): z.ZodObject<S, z.core.$strict> {
  const accepted = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      const others = issue.keys.slice(1);
      const also = others.length === 0 ? '' : ` (also unknown: ${others.join(', ')})`;
      return `unknown field${also}; the accepted fields are: ${accepted}`;
    },
  });
}

/** A duration in Flink syntax (`2 min`, `20s`, a number of milliseconds) → milliseconds. */
export function duration(options: { positive: boolean }) {
  return z.unknown().transform((value, ctx) => {
    let ms: number | undefined;
    if (typeof value === 'string' || typeof value === 'number') {
      try {
        ms = parseDuration(value);
      } catch {
        // Reported below, with the field's path.
      }
    }
    if (ms === undefined) {
      raise(ctx, 'ERR_CONFIG_INVALID_DURATION', `expected a duration: ${DURATION_SYNTAX}`, value);
      return z.NEVER;
    }
    if (options.positive && ms <= 0) {
      raise(ctx, 'ERR_CONFIG_INVALID_DURATION', 'expected a duration greater than 0', value);
      return z.NEVER;
    }
    return ms;
  });
}

/** A whole number, also written as a string of digits (as StateFun's Jackson accepts). */
export function integer(options: { min?: number; expected: string }) {
  return z.unknown().transform((value, ctx) => {
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^-?\d+$/u.test(value)
          ? Number(value)
          : Number.NaN;
    if (!Number.isSafeInteger(n) || (options.min !== undefined && n < options.min)) {
      raise(ctx, 'ERR_CONFIG_INVALID_VALUE', `expected ${options.expected}`, value);
      return z.NEVER;
    }
    return n;
  });
}

/** A `namespace/name` typename with exactly one `/`; with `allowWildcardName`, also `namespace/*`. */
export function typename(allowWildcardName: boolean) {
  return z.string().transform((text, ctx) => {
    const split = splitModuleTypename(text, allowWildcardName);
    if ('problem' in split) {
      raise(ctx, 'ERR_CONFIG_INVALID_TYPENAME', split.problem, text);
      return z.NEVER;
    }
    return { text, ...split.parts };
  });
}
