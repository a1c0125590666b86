/** Builds `ToFunction` request bytes and reads `FromFunction` answers into plain objects, for tests. */
import { FromFunction, ToFunction, type AddressProps, type TypedValueProps } from '@statehouse/protocol';

export interface TestAddress {
  readonly namespace: string;
  readonly name: string;
  readonly id: string;
}

export interface TestValue {
  readonly typename: string;
  readonly bytes: Uint8Array;
}

export interface RequestSpec {
  readonly target: TestAddress;
  /** State name → value; `undefined` sends the state without a value. Names not listed are not sent. */
  readonly state?: Readonly<Record<string, TestValue | undefined>>;
  readonly invocations: readonly { readonly caller?: TestAddress; readonly argument: TestValue }[];
}

const pbAddress = (a: TestAddress): AddressProps => ({ namespace: a.namespace, type: a.name, id: a.id });
const pbValue = (v: TestValue): TypedValueProps => ({ typename: v.typename, hasValue: true, value: v.bytes });

/** Encodes a `ToFunction` request. */
export function encodeRequest(spec: RequestSpec): Uint8Array {
  return ToFunction.encode({
    invocation: {
      target: pbAddress(spec.target),
      state: Object.entries(spec.state ?? {}).map(([stateName, value]) =>
        value === undefined ? { stateName } : { stateName, stateValue: pbValue(value) },
      ),
      invocations: spec.invocations.map(({ caller, argument }) => ({
        ...(caller === undefined ? {} : { caller: pbAddress(caller) }),
        argument: pbValue(argument),
      })),
    },
  }).finish();
}

const hex = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? []).toString('hex');

interface PlainValue {
  typename: string;
  hasValue: boolean;
  hex: string;
}

const plainValue = (v: TypedValueProps | null | undefined): PlainValue | null =>
  v === null || v === undefined
    ? null
    : { typename: v.typename ?? '', hasValue: v.hasValue === true, hex: hex(v.value) };

const plainAddress = (a: AddressProps | null | undefined): string | null =>
  a === null || a === undefined ? null : `${a.namespace ?? ''}/${a.type ?? ''}/${a.id ?? ''}`;

/** A decoded `FromFunction` as a plain object, every field explicit, bytes as hex. */
export interface PlainFromFunction {
  readonly kind: 'result' | 'incomplete' | 'none';
  readonly missing: readonly {
    name: string;
    typename: string;
    expiration: { mode: number; millis: number } | null;
  }[];
  readonly mutations: readonly { type: number; name: string; value: PlainValue | null }[];
  readonly messages: readonly { target: string | null; argument: PlainValue | null }[];
  readonly delayed: readonly {
    cancel: boolean;
    token: string;
    delayMs: number;
    target: string | null;
    argument: PlainValue | null;
  }[];
  readonly egress: readonly { namespace: string; type: string; argument: PlainValue | null }[];
}

/** Decodes a `FromFunction` answer into a {@link PlainFromFunction}. */
export function decodeResponse(bytes: Uint8Array): PlainFromFunction {
  const from = FromFunction.decode(bytes);
  const result = from.invocationResult;
  const incomplete = from.incompleteInvocationContext;
  return {
    kind: result ? 'result' : incomplete ? 'incomplete' : 'none',
    missing: (incomplete?.missingValues ?? []).map((spec) => ({
      name: spec.stateName ?? '',
      typename: spec.typeTypename ?? '',
      expiration: spec.expirationSpec
        ? { mode: spec.expirationSpec.mode ?? 0, millis: Number(spec.expirationSpec.expireAfterMillis ?? 0) }
        : null,
    })),
    mutations: (result?.stateMutations ?? []).map((m) => ({
      type: m.mutationType ?? 0,
      name: m.stateName ?? '',
      value: plainValue(m.stateValue),
    })),
    messages: (result?.outgoingMessages ?? []).map((m) => ({
      target: plainAddress(m.target),
      argument: plainValue(m.argument),
    })),
    delayed: (result?.delayedInvocations ?? []).map((d) => ({
      cancel: d.isCancellationRequest === true,
      token: d.cancellationToken ?? '',
      delayMs: Number(d.delayInMs ?? 0),
      target: plainAddress(d.target),
      argument: plainValue(d.argument),
    })),
    egress: (result?.outgoingEgresses ?? []).map((e) => ({
      namespace: e.egressNamespace ?? '',
      type: e.egressType ?? '',
      argument: plainValue(e.argument),
    })),
  };
}

/** Hex of some bytes, for golden comparisons. */
export function toHex(bytes: Uint8Array): string {
  return hex(bytes);
}

/** Bytes from a hex string with optional spaces, e.g. `0D 01 00 00 00`. */
export function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}
