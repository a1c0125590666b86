/**
 * The state of one address during one batch: decodes values lazily, keeps changes visible to later
 * invocations of the batch, and at the end yields one mutation per value that really changed.
 */
import { InvalidArgumentError, SerializationError, describeValue } from './errors.js';
import type { EncodedValue } from './types/type.js';
import type { StateSpecs, ValueSpec } from './value-spec.js';

/** A change to persist: MODIFY with the new encoded value, or DELETE. */
export type StateChange =
  | { readonly kind: 'modify'; readonly name: string; readonly value: EncodedValue }
  | { readonly kind: 'delete'; readonly name: string };

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

class StateSlot {
  private touched = false;
  private value: unknown;
  // Canonical bytes of the received value (serialize(deserialize(received))), taken when it is first read,
  // so that a formatting difference (e.g. JSON written by another SDK) is not mistaken for a change, while
  // an in-place change of a decoded object is caught.
  private baseline: Uint8Array | undefined;
  private assignedBytes: Uint8Array | undefined;

  constructor(
    readonly name: string,
    private readonly spec: ValueSpec<unknown>,
    private readonly received: EncodedValue | undefined,
  ) {}

  get(): unknown {
    if (this.touched) return this.value;
    if (this.received !== undefined) {
      if (this.received.typename !== this.spec.type.typename) {
        throw new SerializationError(
          'ERR_SDK_TYPE_MISMATCH',
          `State "${this.name}" arrived as ${this.received.typename} but is declared as ` +
            `${this.spec.type.typename}: a state keeps the type it was registered with; use a new state name ` +
            `for the new type.`,
        );
      }
      const value = this.spec.type.deserialize(this.received.bytes);
      this.baseline = this.spec.type.serialize(value);
      this.value = value;
    }
    // Only a successful read counts: a failed one throws again on the next read instead of yielding undefined.
    this.touched = true;
    return this.value;
  }

  set(value: unknown): void {
    // Serialize now so that a wrong value fails where it is assigned, not at the end of the batch.
    this.assignedBytes = value === undefined ? undefined : this.spec.type.serialize(value);
    this.touched = true;
    this.value = value;
  }

  change(): StateChange | undefined {
    if (!this.touched) return undefined;
    if (this.value === undefined) {
      return this.received === undefined ? undefined : { kind: 'delete', name: this.name };
    }
    const typename = this.spec.type.typename;
    const isObject = typeof this.value === 'object' && this.value !== null;
    const bytes =
      this.assignedBytes !== undefined && !isObject
        ? this.assignedBytes
        : this.spec.type.serialize(this.value);
    const previous = this.baseline ?? this.received?.bytes;
    const isUnchanged =
      this.received !== undefined &&
      this.received.typename === typename &&
      previous !== undefined &&
      bytesEqual(previous, bytes);
    return isUnchanged ? undefined : { kind: 'modify', name: this.name, value: { typename, bytes } };
  }
}

/** The per-batch state of one address. */
export class StateStore {
  private readonly slots = new Map<string, StateSlot>();
  /** The object user code sees as `ctx.state`. */
  readonly view: Record<string, unknown>;

  /**
   * @param specs - the function's declared states.
   * @param received - the values the runtime sent, by state name; absent names have no value.
   */
  constructor(specs: StateSpecs, received: ReadonlyMap<string, EncodedValue>) {
    for (const [name, spec] of Object.entries(specs)) {
      this.slots.set(name, new StateSlot(name, spec, received.get(name)));
    }
    this.view = this.createView();
  }

  /** @returns the changes to persist, in declaration order. */
  changes(): StateChange[] {
    const changes: StateChange[] = [];
    for (const slot of this.slots.values()) {
      const change = slot.change();
      if (change !== undefined) changes.push(change);
    }
    return changes;
  }

  private slot(property: string | symbol, action: string): StateSlot {
    const slot = typeof property === 'string' ? this.slots.get(property) : undefined;
    if (slot === undefined) {
      const declared = [...this.slots.keys()].map((name) => `"${name}"`).join(', ') || 'none';
      throw new InvalidArgumentError(
        'ERR_SDK_UNKNOWN_STATE',
        `Cannot ${action} state ${describeValue(String(property))}: it is not declared (declared: ${declared}). ` +
          `Add it to the function's state specs.`,
      );
    }
    return slot;
  }

  private createView(): Record<string, unknown> {
    const slots = this.slots;
    return new Proxy<Record<string, unknown>>(Object.create(null) as Record<string, unknown>, {
      get: (_target, property) =>
        typeof property === 'string' && slots.has(property) ? this.slot(property, 'read').get() : undefined,
      set: (_target, property, value) => {
        this.slot(property, 'set').set(value);
        return true;
      },
      deleteProperty: (_target, property) => {
        this.slot(property, 'delete').set(undefined);
        return true;
      },
      has: (_target, property) => typeof property === 'string' && slots.has(property),
      ownKeys: () => [...slots.keys()],
      getOwnPropertyDescriptor: (_target, property) =>
        typeof property === 'string' && slots.has(property)
          ? { value: this.slot(property, 'read').get(), writable: true, enumerable: true, configurable: true }
          : undefined,
      defineProperty: (_target, property) => {
        throw new InvalidArgumentError(
          'ERR_SDK_UNKNOWN_STATE',
          `Cannot define property ${describeValue(String(property))} on ctx.state: assign declared states instead.`,
        );
      },
    });
  }
}
