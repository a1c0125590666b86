import { z } from 'zod';
import { DURATION_SYNTAX, parseDuration } from './duration.js';
import { raise } from './problems.js';
import { parseStartupDate, STARTUP_DATE_SYNTAX } from './kafka-startup-date.js';
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

/** A string that is not blank. */
export const nonEmptyText = z.string().superRefine((text, ctx) => {
  if (text.trim() === '') raise(ctx, 'ERR_CONFIG_INVALID_VALUE', 'expected a non-empty string', text);
});

/** A list that must not be empty; `what` says what one entry is. */
export function nonEmptyList<T extends z.ZodType>(item: T, what: string) {
  return z.array(item).superRefine((items, ctx) => {
    if (items.length === 0) raise(ctx, 'ERR_CONFIG_INVALID_VALUE', `expected at least one ${what}`, items);
  });
}

/** `targets` of a connector route: function types, at least one, each once. */
export const targetList = nonEmptyList(typename(false), 'function type (namespace/name)').superRefine(
  (targets, ctx) => {
    // A target listed twice would receive every record twice.
    targets.forEach((target, i) => {
      const first = targets.findIndex((t) => t.text === target.text);
      if (first === i) return;
      raise(
        ctx,
        'ERR_CONFIG_CONFLICTING_FIELDS',
        `function type ${target.text} is already listed as targets[${first}]; list each target once (each record goes to it once)`,
        undefined,
        { path: [i], showInput: false },
      );
    });
  },
);

/** A connector's `startupPosition.date` → the date as written and its epoch milliseconds. */
export const startupDate = z.string().transform((text, ctx) => {
  const epochMs = parseStartupDate(text);
  if (epochMs === undefined) {
    raise(ctx, 'ERR_CONFIG_INVALID_VALUE', `expected ${STARTUP_DATE_SYNTAX}`, text);
    return z.NEVER;
  }
  return { date: text, epochMs };
});

/**
 * The routes of a connector (`topics`, `streams`): at least one, each source (topic, stream) once.
 *
 * @param keyOf - the source a route reads.
 * @param names - for messages: what one entry is, the source's field, the list's path.
 */
export function routeList<T extends z.ZodType>(
  route: T,
  keyOf: (route: z.output<T>) => string,
  names: { readonly entry: string; readonly field: string; readonly list: string },
) {
  return nonEmptyList(route, names.entry).superRefine((routes, ctx) => {
    const seen = new Map<string, number>();
    routes.forEach((entry, i) => {
      const key = keyOf(entry);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        raise(
          ctx,
          'ERR_CONFIG_CONFLICTING_FIELDS',
          `${names.field} ${JSON.stringify(key)} is already routed by ${names.list}[${earlier}]; list each ` +
            `${names.field} once, with all of its targets`,
          undefined,
          { path: [i, names.field], showInput: false },
        );
      }
      seen.set(key, i);
    });
  });
}
