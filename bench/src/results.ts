/** Result rows, their targets, and the ratio to the ceiling. */
import type { Flavour } from './processes.js';

/** A target of the issue: `value op target` (and, for throughput, a minimum share of the ceiling). */
export interface Target {
  readonly op: '>=' | '<=';
  readonly value: number;
  /** Also required: value ÷ ceiling ≥ this. */
  readonly minCeilingRatio?: number;
  /** Shown after the target, e.g. `@1M addresses`. */
  readonly note?: string;
  /** `false` when the run did not measure what the target is about (e.g. recovery below 1M addresses). @default true */
  readonly isApplicable?: boolean;
}

/** Units the rows use. */
export type Unit = 'msg/s' | 'events/s' | 'req/s' | 'ms' | 'MB' | 'µs/msg' | 'µs/event' | 'msgs' | '%' | '';

/** One measured number. */
export interface Row {
  /** e.g. `counter c=64`. */
  readonly workload: string;
  /** Which SDK the function service was written with; `-` when none is involved. */
  readonly flavour: Flavour | '-';
  /** e.g. `e2e throughput`. */
  readonly metric: string;
  readonly value: number;
  readonly unit: Unit;
  /** The same quantity measured on the function service alone (the ceiling), when comparable. */
  readonly ceiling?: number;
  readonly target?: Target;
  /** The value is a lower bound (some messages had not arrived when the bench stopped waiting). */
  readonly isLowerBound?: boolean;
}

/** value ÷ ceiling, or `undefined` when the row has no ceiling. */
export function ceilingRatio(row: Row): number | undefined {
  return row.ceiling === undefined || !(row.ceiling > 0) || Number.isNaN(row.value)
    ? undefined
    : row.value / row.ceiling;
}

/** Whether the row meets its target; `undefined` when it has none. */
export function isMet(row: Row): boolean | undefined {
  const t = row.target;
  if (t === undefined || t.isApplicable === false) return undefined;
  if (Number.isNaN(row.value)) return false;
  const meets = t.op === '>=' ? row.value >= t.value : row.value <= t.value && row.isLowerBound !== true;
  if (t.minCeilingRatio === undefined) return meets;
  const ratio = ceilingRatio(row);
  return meets && ratio !== undefined && ratio >= t.minCeilingRatio;
}
