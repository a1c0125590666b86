/**
 * One line of a state export or import file (JSON lines): an address and its state values, each with its
 * typename, its bytes (base64) and, for reading, the value decoded (`json`: well-known types and JSON bytes),
 * and its expiry when the value has a TTL. On import `bytes` wins; a value given only as `json` is encoded by its
 * type (the well-known `io.statefun.types/*` wrappers, UTF-8 JSON otherwise), so state from another system can
 * be written by hand or by a script.
 */
import { parseTypeName } from '@statehouse/protocol';
import { z } from 'zod';

import { bytesOfJson, toApiValue } from '../core/value-json.js';

/** A state value on a line. */
export interface StateLineValue {
  readonly type: string;
  readonly bytes?: string;
  readonly json?: unknown;
  /** When the value expires (TTL), epoch milliseconds. */
  readonly expiresAtMs?: number;
}

/** One address and its values. */
export interface StateLine {
  readonly address: { readonly type: string; readonly id: string };
  readonly values: Readonly<Record<string, StateLineValue>>;
}

/** A state row as the stores keep it. */
export interface StateRow {
  readonly name: string;
  readonly typename: string;
  readonly value: Uint8Array;
  readonly expiresAt: number | null;
}

/**
 * The line of one address.
 *
 * @param address - the address.
 * @param rows - its state rows.
 * @returns the line's JSON text (no newline).
 */
export function stateLineOf(address: StateLine['address'], rows: readonly StateRow[]): string {
  const values: Record<string, StateLineValue> = {};
  for (const row of rows) {
    const api = toApiValue({ typename: row.typename, value: row.value });
    values[row.name] = row.expiresAt === null ? api : { ...api, expiresAtMs: row.expiresAt };
  }
  return JSON.stringify({ address, values } satisfies StateLine);
}

const typename = z
  .string()
  .refine((t) => parseTypeName(t) !== undefined, 'expected a typename namespace/name');
const lineSchema = z.strictObject({
  address: z.strictObject({ type: typename, id: z.string().min(1) }),
  values: z.record(
    z.string().min(1),
    z
      .strictObject({
        type: typename,
        bytes: z.base64().optional(),
        json: z.unknown().optional(),
        expiresAtMs: z.number().int().nonnegative().optional(),
      })
      .refine((v) => v.bytes !== undefined || v.json !== undefined, 'a value needs bytes or json'),
  ),
});

/**
 * Reads a line.
 *
 * @param text - the line.
 * @returns the address and its rows.
 * @throws Error naming what is wrong (the caller adds the file and line).
 */
export function parseStateLine(text: string): { address: StateLine['address']; rows: StateRow[] } {
  const parsed = lineSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join('.') || '(line)'}: ${issue.message}`);
  }
  const rows = Object.entries(parsed.data.values).map(([name, v]) => ({
    name,
    typename: v.type,
    value: v.bytes !== undefined ? Buffer.from(v.bytes, 'base64') : bytesOfJson(v.type, v.json),
    expiresAt: v.expiresAtMs ?? null,
  }));
  return { address: parsed.data.address, rows };
}
