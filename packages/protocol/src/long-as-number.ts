/**
 * Makes protobufjs decode 64-bit integers as JavaScript numbers instead of `Long` objects, as the generated
 * types declare (`--force-number`). StateFun's int64 fields are delays and TTLs in milliseconds, far below
 * 2^53. This must run before the generated code is evaluated (its prototype defaults depend on it), so
 * `messages.ts` imports this module first.
 */
import protobuf from 'protobufjs/minimal.js';

protobuf.util.Long = undefined as unknown as typeof protobuf.util.Long;
protobuf.configure();
