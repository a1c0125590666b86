import * as $protobuf from "protobufjs";
import Long = require("long");

/** Namespace io. */
export namespace io {

    /** Namespace statefun. */
    namespace statefun {

        /** Namespace sdk. */
        namespace sdk {

            /** Namespace egress. */
            namespace egress {

                /**
                 * Properties of a KafkaProducerRecord.
                 * @deprecated Use io.statefun.sdk.egress.KafkaProducerRecord.$Properties instead.
                 */
                interface IKafkaProducerRecord extends io.statefun.sdk.egress.KafkaProducerRecord.$Properties {
                }

                /** Represents a KafkaProducerRecord. */
                class KafkaProducerRecord {

                    /**
                     * Constructs a new KafkaProducerRecord.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: io.statefun.sdk.egress.KafkaProducerRecord.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** KafkaProducerRecord key. */
                    key: string;

                    /** KafkaProducerRecord valueBytes. */
                    valueBytes: Uint8Array;

                    /** KafkaProducerRecord topic. */
                    topic: string;

                    /**
                     * Creates a new KafkaProducerRecord instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns KafkaProducerRecord instance
                     */
                    static create(properties: io.statefun.sdk.egress.KafkaProducerRecord.$Shape): io.statefun.sdk.egress.KafkaProducerRecord & io.statefun.sdk.egress.KafkaProducerRecord.$Shape;
                    static create(properties?: io.statefun.sdk.egress.KafkaProducerRecord.$Properties): io.statefun.sdk.egress.KafkaProducerRecord;

                    /**
                     * Encodes the specified KafkaProducerRecord message. Does not implicitly {@link io.statefun.sdk.egress.KafkaProducerRecord.verify|verify} messages.
                     * @param message KafkaProducerRecord message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: io.statefun.sdk.egress.KafkaProducerRecord.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a KafkaProducerRecord message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.egress.KafkaProducerRecord & io.statefun.sdk.egress.KafkaProducerRecord.$Shape} KafkaProducerRecord
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.egress.KafkaProducerRecord & io.statefun.sdk.egress.KafkaProducerRecord.$Shape;
                }

                namespace KafkaProducerRecord {

                    /** Properties of a KafkaProducerRecord. */
                    interface $Properties {

                        /** KafkaProducerRecord key */
                        key?: (string|null);

                        /** KafkaProducerRecord valueBytes */
                        valueBytes?: (Uint8Array|null);

                        /** KafkaProducerRecord topic */
                        topic?: (string|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a KafkaProducerRecord. */
                    type $Shape = io.statefun.sdk.egress.KafkaProducerRecord.$Properties;
                }

                /**
                 * Properties of a KinesisEgressRecord.
                 * @deprecated Use io.statefun.sdk.egress.KinesisEgressRecord.$Properties instead.
                 */
                interface IKinesisEgressRecord extends io.statefun.sdk.egress.KinesisEgressRecord.$Properties {
                }

                /** Represents a KinesisEgressRecord. */
                class KinesisEgressRecord {

                    /**
                     * Constructs a new KinesisEgressRecord.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: io.statefun.sdk.egress.KinesisEgressRecord.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** KinesisEgressRecord partitionKey. */
                    partitionKey: string;

                    /** KinesisEgressRecord valueBytes. */
                    valueBytes: Uint8Array;

                    /** KinesisEgressRecord stream. */
                    stream: string;

                    /** KinesisEgressRecord explicitHashKey. */
                    explicitHashKey: string;

                    /**
                     * Creates a new KinesisEgressRecord instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns KinesisEgressRecord instance
                     */
                    static create(properties: io.statefun.sdk.egress.KinesisEgressRecord.$Shape): io.statefun.sdk.egress.KinesisEgressRecord & io.statefun.sdk.egress.KinesisEgressRecord.$Shape;
                    static create(properties?: io.statefun.sdk.egress.KinesisEgressRecord.$Properties): io.statefun.sdk.egress.KinesisEgressRecord;

                    /**
                     * Encodes the specified KinesisEgressRecord message. Does not implicitly {@link io.statefun.sdk.egress.KinesisEgressRecord.verify|verify} messages.
                     * @param message KinesisEgressRecord message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: io.statefun.sdk.egress.KinesisEgressRecord.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a KinesisEgressRecord message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.egress.KinesisEgressRecord & io.statefun.sdk.egress.KinesisEgressRecord.$Shape} KinesisEgressRecord
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.egress.KinesisEgressRecord & io.statefun.sdk.egress.KinesisEgressRecord.$Shape;
                }

                namespace KinesisEgressRecord {

                    /** Properties of a KinesisEgressRecord. */
                    interface $Properties {

                        /** KinesisEgressRecord partitionKey */
                        partitionKey?: (string|null);

                        /** KinesisEgressRecord valueBytes */
                        valueBytes?: (Uint8Array|null);

                        /** KinesisEgressRecord stream */
                        stream?: (string|null);

                        /** KinesisEgressRecord explicitHashKey */
                        explicitHashKey?: (string|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a KinesisEgressRecord. */
                    type $Shape = io.statefun.sdk.egress.KinesisEgressRecord.$Properties;
                }
            }

            /** Namespace reqreply. */
            namespace reqreply {

                /**
                 * Properties of an Address.
                 * @deprecated Use io.statefun.sdk.reqreply.Address.$Properties instead.
                 */
                interface IAddress extends io.statefun.sdk.reqreply.Address.$Properties {
                }

                /** Represents an Address. */
                class Address {

                    /**
                     * Constructs a new Address.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: io.statefun.sdk.reqreply.Address.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** Address namespace. */
                    namespace: string;

                    /** Address type. */
                    type: string;

                    /** Address id. */
                    id: string;

                    /**
                     * Creates a new Address instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns Address instance
                     */
                    static create(properties: io.statefun.sdk.reqreply.Address.$Shape): io.statefun.sdk.reqreply.Address & io.statefun.sdk.reqreply.Address.$Shape;
                    static create(properties?: io.statefun.sdk.reqreply.Address.$Properties): io.statefun.sdk.reqreply.Address;

                    /**
                     * Encodes the specified Address message. Does not implicitly {@link io.statefun.sdk.reqreply.Address.verify|verify} messages.
                     * @param message Address message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: io.statefun.sdk.reqreply.Address.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes an Address message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.reqreply.Address & io.statefun.sdk.reqreply.Address.$Shape} Address
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.reqreply.Address & io.statefun.sdk.reqreply.Address.$Shape;
                }

                namespace Address {

                    /** Properties of an Address. */
                    interface $Properties {

                        /** Address namespace */
                        namespace?: (string|null);

                        /** Address type */
                        type?: (string|null);

                        /** Address id */
                        id?: (string|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of an Address. */
                    type $Shape = io.statefun.sdk.reqreply.Address.$Properties;
                }

                /**
                 * Properties of a TypedValue.
                 * @deprecated Use io.statefun.sdk.reqreply.TypedValue.$Properties instead.
                 */
                interface ITypedValue extends io.statefun.sdk.reqreply.TypedValue.$Properties {
                }

                /** Represents a TypedValue. */
                class TypedValue {

                    /**
                     * Constructs a new TypedValue.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: io.statefun.sdk.reqreply.TypedValue.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** TypedValue typename. */
                    typename: string;

                    /** TypedValue hasValue. */
                    hasValue: boolean;

                    /** TypedValue value. */
                    value: Uint8Array;

                    /**
                     * Creates a new TypedValue instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns TypedValue instance
                     */
                    static create(properties: io.statefun.sdk.reqreply.TypedValue.$Shape): io.statefun.sdk.reqreply.TypedValue & io.statefun.sdk.reqreply.TypedValue.$Shape;
                    static create(properties?: io.statefun.sdk.reqreply.TypedValue.$Properties): io.statefun.sdk.reqreply.TypedValue;

                    /**
                     * Encodes the specified TypedValue message. Does not implicitly {@link io.statefun.sdk.reqreply.TypedValue.verify|verify} messages.
                     * @param message TypedValue message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: io.statefun.sdk.reqreply.TypedValue.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a TypedValue message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.reqreply.TypedValue & io.statefun.sdk.reqreply.TypedValue.$Shape} TypedValue
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.reqreply.TypedValue & io.statefun.sdk.reqreply.TypedValue.$Shape;
                }

                namespace TypedValue {

                    /** Properties of a TypedValue. */
                    interface $Properties {

                        /** TypedValue typename */
                        typename?: (string|null);

                        /** TypedValue hasValue */
                        hasValue?: (boolean|null);

                        /** TypedValue value */
                        value?: (Uint8Array|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a TypedValue. */
                    type $Shape = io.statefun.sdk.reqreply.TypedValue.$Properties;
                }

                /**
                 * Properties of a ToFunction.
                 * @deprecated Use io.statefun.sdk.reqreply.ToFunction.$Properties instead.
                 */
                interface IToFunction extends io.statefun.sdk.reqreply.ToFunction.$Properties {
                }

                /** Represents a ToFunction. */
                class ToFunction {

                    /**
                     * Constructs a new ToFunction.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: io.statefun.sdk.reqreply.ToFunction.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** ToFunction invocation. */
                    invocation?: (io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties|null);

                    /** ToFunction request. */
                    request?: "invocation";

                    /**
                     * Creates a new ToFunction instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns ToFunction instance
                     */
                    static create(properties: io.statefun.sdk.reqreply.ToFunction.$Shape): io.statefun.sdk.reqreply.ToFunction & io.statefun.sdk.reqreply.ToFunction.$Shape;
                    static create(properties?: io.statefun.sdk.reqreply.ToFunction.$Properties): io.statefun.sdk.reqreply.ToFunction;

                    /**
                     * Encodes the specified ToFunction message. Does not implicitly {@link io.statefun.sdk.reqreply.ToFunction.verify|verify} messages.
                     * @param message ToFunction message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: io.statefun.sdk.reqreply.ToFunction.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a ToFunction message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.reqreply.ToFunction & io.statefun.sdk.reqreply.ToFunction.$Shape} ToFunction
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.reqreply.ToFunction & io.statefun.sdk.reqreply.ToFunction.$Shape;
                }

                namespace ToFunction {

                    /** Properties of a ToFunction. */
                    interface $Properties {

                        /** ToFunction invocation */
                        invocation?: (io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties|null);

                        /** ToFunction request */
                        request?: "invocation";

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Narrowed shape of a ToFunction. */
                    type $Shape = {
                      invocation?: io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Shape|null;
                      $unknowns?: Uint8Array[];
                    } & (
                      ({ request?: undefined; invocation?: null }|{ request?: "invocation"; invocation: io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Shape })
                    );

                    /**
                     * Properties of a PersistedValue.
                     * @deprecated Use io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties instead.
                     */
                    interface IPersistedValue extends io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties {
                    }

                    /** Represents a PersistedValue. */
                    class PersistedValue {

                        /**
                         * Constructs a new PersistedValue.
                         * @param [properties] Properties to set
                         */
                        constructor(properties?: io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];

                        /** PersistedValue stateName. */
                        stateName: string;

                        /** PersistedValue stateValue. */
                        stateValue?: (io.statefun.sdk.reqreply.TypedValue.$Properties|null);

                        /**
                         * Creates a new PersistedValue instance using the specified properties.
                         * @param [properties] Properties to set
                         * @returns PersistedValue instance
                         */
                        static create(properties: io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Shape): io.statefun.sdk.reqreply.ToFunction.PersistedValue & io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Shape;
                        static create(properties?: io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties): io.statefun.sdk.reqreply.ToFunction.PersistedValue;

                        /**
                         * Encodes the specified PersistedValue message. Does not implicitly {@link io.statefun.sdk.reqreply.ToFunction.PersistedValue.verify|verify} messages.
                         * @param message PersistedValue message or plain object to encode
                         * @param [writer] Writer to encode to
                         * @returns Writer
                         */
                        static encode(message: io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                        /**
                         * Decodes a PersistedValue message from the specified reader or buffer.
                         * @param reader Reader or buffer to decode from
                         * @param [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.ToFunction.PersistedValue & io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Shape} PersistedValue
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.reqreply.ToFunction.PersistedValue & io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Shape;
                    }

                    namespace PersistedValue {

                        /** Properties of a PersistedValue. */
                        interface $Properties {

                            /** PersistedValue stateName */
                            stateName?: (string|null);

                            /** PersistedValue stateValue */
                            stateValue?: (io.statefun.sdk.reqreply.TypedValue.$Properties|null);

                            /** Unknown fields preserved while decoding when enabled */
                            $unknowns?: Uint8Array[];
                        }

                        /** Shape of a PersistedValue. */
                        type $Shape = io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties;
                    }

                    /**
                     * Properties of an Invocation.
                     * @deprecated Use io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties instead.
                     */
                    interface IInvocation extends io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties {
                    }

                    /** Represents an Invocation. */
                    class Invocation {

                        /**
                         * Constructs a new Invocation.
                         * @param [properties] Properties to set
                         */
                        constructor(properties?: io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];

                        /** Invocation caller. */
                        caller?: (io.statefun.sdk.reqreply.Address.$Properties|null);

                        /** Invocation argument. */
                        argument?: (io.statefun.sdk.reqreply.TypedValue.$Properties|null);

                        /**
                         * Creates a new Invocation instance using the specified properties.
                         * @param [properties] Properties to set
                         * @returns Invocation instance
                         */
                        static create(properties: io.statefun.sdk.reqreply.ToFunction.Invocation.$Shape): io.statefun.sdk.reqreply.ToFunction.Invocation & io.statefun.sdk.reqreply.ToFunction.Invocation.$Shape;
                        static create(properties?: io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties): io.statefun.sdk.reqreply.ToFunction.Invocation;

                        /**
                         * Encodes the specified Invocation message. Does not implicitly {@link io.statefun.sdk.reqreply.ToFunction.Invocation.verify|verify} messages.
                         * @param message Invocation message or plain object to encode
                         * @param [writer] Writer to encode to
                         * @returns Writer
                         */
                        static encode(message: io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                        /**
                         * Decodes an Invocation message from the specified reader or buffer.
                         * @param reader Reader or buffer to decode from
                         * @param [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.ToFunction.Invocation & io.statefun.sdk.reqreply.ToFunction.Invocation.$Shape} Invocation
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.reqreply.ToFunction.Invocation & io.statefun.sdk.reqreply.ToFunction.Invocation.$Shape;
                    }

                    namespace Invocation {

                        /** Properties of an Invocation. */
                        interface $Properties {

                            /** Invocation caller */
                            caller?: (io.statefun.sdk.reqreply.Address.$Properties|null);

                            /** Invocation argument */
                            argument?: (io.statefun.sdk.reqreply.TypedValue.$Properties|null);

                            /** Unknown fields preserved while decoding when enabled */
                            $unknowns?: Uint8Array[];
                        }

                        /** Shape of an Invocation. */
                        type $Shape = io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties;
                    }

                    /**
                     * Properties of an InvocationBatchRequest.
                     * @deprecated Use io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties instead.
                     */
                    interface IInvocationBatchRequest extends io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties {
                    }

                    /** Represents an InvocationBatchRequest. */
                    class InvocationBatchRequest {

                        /**
                         * Constructs a new InvocationBatchRequest.
                         * @param [properties] Properties to set
                         */
                        constructor(properties?: io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];

                        /** InvocationBatchRequest target. */
                        target?: (io.statefun.sdk.reqreply.Address.$Properties|null);

                        /** InvocationBatchRequest state. */
                        state: io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties[];

                        /** InvocationBatchRequest invocations. */
                        invocations: io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties[];

                        /**
                         * Creates a new InvocationBatchRequest instance using the specified properties.
                         * @param [properties] Properties to set
                         * @returns InvocationBatchRequest instance
                         */
                        static create(properties: io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Shape): io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest & io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Shape;
                        static create(properties?: io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties): io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest;

                        /**
                         * Encodes the specified InvocationBatchRequest message. Does not implicitly {@link io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.verify|verify} messages.
                         * @param message InvocationBatchRequest message or plain object to encode
                         * @param [writer] Writer to encode to
                         * @returns Writer
                         */
                        static encode(message: io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                        /**
                         * Decodes an InvocationBatchRequest message from the specified reader or buffer.
                         * @param reader Reader or buffer to decode from
                         * @param [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest & io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Shape} InvocationBatchRequest
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest & io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Shape;
                    }

                    namespace InvocationBatchRequest {

                        /** Properties of an InvocationBatchRequest. */
                        interface $Properties {

                            /** InvocationBatchRequest target */
                            target?: (io.statefun.sdk.reqreply.Address.$Properties|null);

                            /** InvocationBatchRequest state */
                            state?: (io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties[]|null);

                            /** InvocationBatchRequest invocations */
                            invocations?: (io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties[]|null);

                            /** Unknown fields preserved while decoding when enabled */
                            $unknowns?: Uint8Array[];
                        }

                        /** Shape of an InvocationBatchRequest. */
                        type $Shape = io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties;
                    }
                }

                /**
                 * Properties of a FromFunction.
                 * @deprecated Use io.statefun.sdk.reqreply.FromFunction.$Properties instead.
                 */
                interface IFromFunction extends io.statefun.sdk.reqreply.FromFunction.$Properties {
                }

                /** Represents a FromFunction. */
                class FromFunction {

                    /**
                     * Constructs a new FromFunction.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: io.statefun.sdk.reqreply.FromFunction.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** FromFunction invocationResult. */
                    invocationResult?: (io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties|null);

                    /** FromFunction incompleteInvocationContext. */
                    incompleteInvocationContext?: (io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties|null);

                    /** FromFunction response. */
                    response?: ("invocationResult"|"incompleteInvocationContext");

                    /**
                     * Creates a new FromFunction instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns FromFunction instance
                     */
                    static create(properties: io.statefun.sdk.reqreply.FromFunction.$Shape): io.statefun.sdk.reqreply.FromFunction & io.statefun.sdk.reqreply.FromFunction.$Shape;
                    static create(properties?: io.statefun.sdk.reqreply.FromFunction.$Properties): io.statefun.sdk.reqreply.FromFunction;

                    /**
                     * Encodes the specified FromFunction message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.verify|verify} messages.
                     * @param message FromFunction message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: io.statefun.sdk.reqreply.FromFunction.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a FromFunction message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.reqreply.FromFunction & io.statefun.sdk.reqreply.FromFunction.$Shape} FromFunction
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.reqreply.FromFunction & io.statefun.sdk.reqreply.FromFunction.$Shape;
                }

                namespace FromFunction {

                    /** Properties of a FromFunction. */
                    interface $Properties {

                        /** FromFunction invocationResult */
                        invocationResult?: (io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties|null);

                        /** FromFunction incompleteInvocationContext */
                        incompleteInvocationContext?: (io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties|null);

                        /** FromFunction response */
                        response?: ("invocationResult"|"incompleteInvocationContext");

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Narrowed shape of a FromFunction. */
                    type $Shape = {
                      invocationResult?: io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Shape|null;
                      incompleteInvocationContext?: io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Shape|null;
                      $unknowns?: Uint8Array[];
                    } & (
                      ({ response?: undefined; invocationResult?: null; incompleteInvocationContext?: null }|{ response?: "invocationResult"; invocationResult: io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Shape; incompleteInvocationContext?: null }|{ response?: "incompleteInvocationContext"; invocationResult?: null; incompleteInvocationContext: io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Shape })
                    );

                    /**
                     * Properties of a PersistedValueMutation.
                     * @deprecated Use io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties instead.
                     */
                    interface IPersistedValueMutation extends io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties {
                    }

                    /** Represents a PersistedValueMutation. */
                    class PersistedValueMutation {

                        /**
                         * Constructs a new PersistedValueMutation.
                         * @param [properties] Properties to set
                         */
                        constructor(properties?: io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];

                        /** PersistedValueMutation mutationType. */
                        mutationType: io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.MutationType;

                        /** PersistedValueMutation stateName. */
                        stateName: string;

                        /** PersistedValueMutation stateValue. */
                        stateValue?: (io.statefun.sdk.reqreply.TypedValue.$Properties|null);

                        /**
                         * Creates a new PersistedValueMutation instance using the specified properties.
                         * @param [properties] Properties to set
                         * @returns PersistedValueMutation instance
                         */
                        static create(properties: io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Shape): io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation & io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Shape;
                        static create(properties?: io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties): io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation;

                        /**
                         * Encodes the specified PersistedValueMutation message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.verify|verify} messages.
                         * @param message PersistedValueMutation message or plain object to encode
                         * @param [writer] Writer to encode to
                         * @returns Writer
                         */
                        static encode(message: io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                        /**
                         * Decodes a PersistedValueMutation message from the specified reader or buffer.
                         * @param reader Reader or buffer to decode from
                         * @param [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation & io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Shape} PersistedValueMutation
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation & io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Shape;
                    }

                    namespace PersistedValueMutation {

                        /** Properties of a PersistedValueMutation. */
                        interface $Properties {

                            /** PersistedValueMutation mutationType */
                            mutationType?: (io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.MutationType|null);

                            /** PersistedValueMutation stateName */
                            stateName?: (string|null);

                            /** PersistedValueMutation stateValue */
                            stateValue?: (io.statefun.sdk.reqreply.TypedValue.$Properties|null);

                            /** Unknown fields preserved while decoding when enabled */
                            $unknowns?: Uint8Array[];
                        }

                        /** Shape of a PersistedValueMutation. */
                        type $Shape = io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties;

                        /** MutationType enum. */
                        enum MutationType {

                            /** DELETE value */
                            DELETE = 0,

                            /** MODIFY value */
                            MODIFY = 1
                        }
                    }

                    /**
                     * Properties of an Invocation.
                     * @deprecated Use io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties instead.
                     */
                    interface IInvocation extends io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties {
                    }

                    /** Represents an Invocation. */
                    class Invocation {

                        /**
                         * Constructs a new Invocation.
                         * @param [properties] Properties to set
                         */
                        constructor(properties?: io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];

                        /** Invocation target. */
                        target?: (io.statefun.sdk.reqreply.Address.$Properties|null);

                        /** Invocation argument. */
                        argument?: (io.statefun.sdk.reqreply.TypedValue.$Properties|null);

                        /**
                         * Creates a new Invocation instance using the specified properties.
                         * @param [properties] Properties to set
                         * @returns Invocation instance
                         */
                        static create(properties: io.statefun.sdk.reqreply.FromFunction.Invocation.$Shape): io.statefun.sdk.reqreply.FromFunction.Invocation & io.statefun.sdk.reqreply.FromFunction.Invocation.$Shape;
                        static create(properties?: io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties): io.statefun.sdk.reqreply.FromFunction.Invocation;

                        /**
                         * Encodes the specified Invocation message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.Invocation.verify|verify} messages.
                         * @param message Invocation message or plain object to encode
                         * @param [writer] Writer to encode to
                         * @returns Writer
                         */
                        static encode(message: io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                        /**
                         * Decodes an Invocation message from the specified reader or buffer.
                         * @param reader Reader or buffer to decode from
                         * @param [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.FromFunction.Invocation & io.statefun.sdk.reqreply.FromFunction.Invocation.$Shape} Invocation
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.reqreply.FromFunction.Invocation & io.statefun.sdk.reqreply.FromFunction.Invocation.$Shape;
                    }

                    namespace Invocation {

                        /** Properties of an Invocation. */
                        interface $Properties {

                            /** Invocation target */
                            target?: (io.statefun.sdk.reqreply.Address.$Properties|null);

                            /** Invocation argument */
                            argument?: (io.statefun.sdk.reqreply.TypedValue.$Properties|null);

                            /** Unknown fields preserved while decoding when enabled */
                            $unknowns?: Uint8Array[];
                        }

                        /** Shape of an Invocation. */
                        type $Shape = io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties;
                    }

                    /**
                     * Properties of a DelayedInvocation.
                     * @deprecated Use io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties instead.
                     */
                    interface IDelayedInvocation extends io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties {
                    }

                    /** Represents a DelayedInvocation. */
                    class DelayedInvocation {

                        /**
                         * Constructs a new DelayedInvocation.
                         * @param [properties] Properties to set
                         */
                        constructor(properties?: io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];

                        /** DelayedInvocation isCancellationRequest. */
                        isCancellationRequest: boolean;

                        /** DelayedInvocation cancellationToken. */
                        cancellationToken: string;

                        /** DelayedInvocation delayInMs. */
                        delayInMs: number;

                        /** DelayedInvocation target. */
                        target?: (io.statefun.sdk.reqreply.Address.$Properties|null);

                        /** DelayedInvocation argument. */
                        argument?: (io.statefun.sdk.reqreply.TypedValue.$Properties|null);

                        /**
                         * Creates a new DelayedInvocation instance using the specified properties.
                         * @param [properties] Properties to set
                         * @returns DelayedInvocation instance
                         */
                        static create(properties: io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Shape): io.statefun.sdk.reqreply.FromFunction.DelayedInvocation & io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Shape;
                        static create(properties?: io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties): io.statefun.sdk.reqreply.FromFunction.DelayedInvocation;

                        /**
                         * Encodes the specified DelayedInvocation message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.verify|verify} messages.
                         * @param message DelayedInvocation message or plain object to encode
                         * @param [writer] Writer to encode to
                         * @returns Writer
                         */
                        static encode(message: io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                        /**
                         * Decodes a DelayedInvocation message from the specified reader or buffer.
                         * @param reader Reader or buffer to decode from
                         * @param [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.FromFunction.DelayedInvocation & io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Shape} DelayedInvocation
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.reqreply.FromFunction.DelayedInvocation & io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Shape;
                    }

                    namespace DelayedInvocation {

                        /** Properties of a DelayedInvocation. */
                        interface $Properties {

                            /** DelayedInvocation isCancellationRequest */
                            isCancellationRequest?: (boolean|null);

                            /** DelayedInvocation cancellationToken */
                            cancellationToken?: (string|null);

                            /** DelayedInvocation delayInMs */
                            delayInMs?: (number|null);

                            /** DelayedInvocation target */
                            target?: (io.statefun.sdk.reqreply.Address.$Properties|null);

                            /** DelayedInvocation argument */
                            argument?: (io.statefun.sdk.reqreply.TypedValue.$Properties|null);

                            /** Unknown fields preserved while decoding when enabled */
                            $unknowns?: Uint8Array[];
                        }

                        /** Shape of a DelayedInvocation. */
                        type $Shape = io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties;
                    }

                    /**
                     * Properties of an EgressMessage.
                     * @deprecated Use io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties instead.
                     */
                    interface IEgressMessage extends io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties {
                    }

                    /** Represents an EgressMessage. */
                    class EgressMessage {

                        /**
                         * Constructs a new EgressMessage.
                         * @param [properties] Properties to set
                         */
                        constructor(properties?: io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];

                        /** EgressMessage egressNamespace. */
                        egressNamespace: string;

                        /** EgressMessage egressType. */
                        egressType: string;

                        /** EgressMessage argument. */
                        argument?: (io.statefun.sdk.reqreply.TypedValue.$Properties|null);

                        /**
                         * Creates a new EgressMessage instance using the specified properties.
                         * @param [properties] Properties to set
                         * @returns EgressMessage instance
                         */
                        static create(properties: io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Shape): io.statefun.sdk.reqreply.FromFunction.EgressMessage & io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Shape;
                        static create(properties?: io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties): io.statefun.sdk.reqreply.FromFunction.EgressMessage;

                        /**
                         * Encodes the specified EgressMessage message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.EgressMessage.verify|verify} messages.
                         * @param message EgressMessage message or plain object to encode
                         * @param [writer] Writer to encode to
                         * @returns Writer
                         */
                        static encode(message: io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                        /**
                         * Decodes an EgressMessage message from the specified reader or buffer.
                         * @param reader Reader or buffer to decode from
                         * @param [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.FromFunction.EgressMessage & io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Shape} EgressMessage
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.reqreply.FromFunction.EgressMessage & io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Shape;
                    }

                    namespace EgressMessage {

                        /** Properties of an EgressMessage. */
                        interface $Properties {

                            /** EgressMessage egressNamespace */
                            egressNamespace?: (string|null);

                            /** EgressMessage egressType */
                            egressType?: (string|null);

                            /** EgressMessage argument */
                            argument?: (io.statefun.sdk.reqreply.TypedValue.$Properties|null);

                            /** Unknown fields preserved while decoding when enabled */
                            $unknowns?: Uint8Array[];
                        }

                        /** Shape of an EgressMessage. */
                        type $Shape = io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties;
                    }

                    /**
                     * Properties of an InvocationResponse.
                     * @deprecated Use io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties instead.
                     */
                    interface IInvocationResponse extends io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties {
                    }

                    /** Represents an InvocationResponse. */
                    class InvocationResponse {

                        /**
                         * Constructs a new InvocationResponse.
                         * @param [properties] Properties to set
                         */
                        constructor(properties?: io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];

                        /** InvocationResponse stateMutations. */
                        stateMutations: io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties[];

                        /** InvocationResponse outgoingMessages. */
                        outgoingMessages: io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties[];

                        /** InvocationResponse delayedInvocations. */
                        delayedInvocations: io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties[];

                        /** InvocationResponse outgoingEgresses. */
                        outgoingEgresses: io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties[];

                        /**
                         * Creates a new InvocationResponse instance using the specified properties.
                         * @param [properties] Properties to set
                         * @returns InvocationResponse instance
                         */
                        static create(properties: io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Shape): io.statefun.sdk.reqreply.FromFunction.InvocationResponse & io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Shape;
                        static create(properties?: io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties): io.statefun.sdk.reqreply.FromFunction.InvocationResponse;

                        /**
                         * Encodes the specified InvocationResponse message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.InvocationResponse.verify|verify} messages.
                         * @param message InvocationResponse message or plain object to encode
                         * @param [writer] Writer to encode to
                         * @returns Writer
                         */
                        static encode(message: io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                        /**
                         * Decodes an InvocationResponse message from the specified reader or buffer.
                         * @param reader Reader or buffer to decode from
                         * @param [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.FromFunction.InvocationResponse & io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Shape} InvocationResponse
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.reqreply.FromFunction.InvocationResponse & io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Shape;
                    }

                    namespace InvocationResponse {

                        /** Properties of an InvocationResponse. */
                        interface $Properties {

                            /** InvocationResponse stateMutations */
                            stateMutations?: (io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties[]|null);

                            /** InvocationResponse outgoingMessages */
                            outgoingMessages?: (io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties[]|null);

                            /** InvocationResponse delayedInvocations */
                            delayedInvocations?: (io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties[]|null);

                            /** InvocationResponse outgoingEgresses */
                            outgoingEgresses?: (io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties[]|null);

                            /** Unknown fields preserved while decoding when enabled */
                            $unknowns?: Uint8Array[];
                        }

                        /** Shape of an InvocationResponse. */
                        type $Shape = io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties;
                    }

                    /**
                     * Properties of an ExpirationSpec.
                     * @deprecated Use io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties instead.
                     */
                    interface IExpirationSpec extends io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties {
                    }

                    /** Represents an ExpirationSpec. */
                    class ExpirationSpec {

                        /**
                         * Constructs a new ExpirationSpec.
                         * @param [properties] Properties to set
                         */
                        constructor(properties?: io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];

                        /** ExpirationSpec mode. */
                        mode: io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.ExpireMode;

                        /** ExpirationSpec expireAfterMillis. */
                        expireAfterMillis: number;

                        /**
                         * Creates a new ExpirationSpec instance using the specified properties.
                         * @param [properties] Properties to set
                         * @returns ExpirationSpec instance
                         */
                        static create(properties: io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Shape): io.statefun.sdk.reqreply.FromFunction.ExpirationSpec & io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Shape;
                        static create(properties?: io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties): io.statefun.sdk.reqreply.FromFunction.ExpirationSpec;

                        /**
                         * Encodes the specified ExpirationSpec message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.verify|verify} messages.
                         * @param message ExpirationSpec message or plain object to encode
                         * @param [writer] Writer to encode to
                         * @returns Writer
                         */
                        static encode(message: io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                        /**
                         * Decodes an ExpirationSpec message from the specified reader or buffer.
                         * @param reader Reader or buffer to decode from
                         * @param [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.FromFunction.ExpirationSpec & io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Shape} ExpirationSpec
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.reqreply.FromFunction.ExpirationSpec & io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Shape;
                    }

                    namespace ExpirationSpec {

                        /** Properties of an ExpirationSpec. */
                        interface $Properties {

                            /** ExpirationSpec mode */
                            mode?: (io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.ExpireMode|null);

                            /** ExpirationSpec expireAfterMillis */
                            expireAfterMillis?: (number|null);

                            /** Unknown fields preserved while decoding when enabled */
                            $unknowns?: Uint8Array[];
                        }

                        /** Shape of an ExpirationSpec. */
                        type $Shape = io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties;

                        /** ExpireMode enum. */
                        enum ExpireMode {

                            /** NONE value */
                            NONE = 0,

                            /** AFTER_WRITE value */
                            AFTER_WRITE = 1,

                            /** AFTER_INVOKE value */
                            AFTER_INVOKE = 2
                        }
                    }

                    /**
                     * Properties of a PersistedValueSpec.
                     * @deprecated Use io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties instead.
                     */
                    interface IPersistedValueSpec extends io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties {
                    }

                    /** Represents a PersistedValueSpec. */
                    class PersistedValueSpec {

                        /**
                         * Constructs a new PersistedValueSpec.
                         * @param [properties] Properties to set
                         */
                        constructor(properties?: io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];

                        /** PersistedValueSpec stateName. */
                        stateName: string;

                        /** PersistedValueSpec expirationSpec. */
                        expirationSpec?: (io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties|null);

                        /** PersistedValueSpec typeTypename. */
                        typeTypename: string;

                        /**
                         * Creates a new PersistedValueSpec instance using the specified properties.
                         * @param [properties] Properties to set
                         * @returns PersistedValueSpec instance
                         */
                        static create(properties: io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Shape): io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec & io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Shape;
                        static create(properties?: io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties): io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec;

                        /**
                         * Encodes the specified PersistedValueSpec message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.verify|verify} messages.
                         * @param message PersistedValueSpec message or plain object to encode
                         * @param [writer] Writer to encode to
                         * @returns Writer
                         */
                        static encode(message: io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                        /**
                         * Decodes a PersistedValueSpec message from the specified reader or buffer.
                         * @param reader Reader or buffer to decode from
                         * @param [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec & io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Shape} PersistedValueSpec
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec & io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Shape;
                    }

                    namespace PersistedValueSpec {

                        /** Properties of a PersistedValueSpec. */
                        interface $Properties {

                            /** PersistedValueSpec stateName */
                            stateName?: (string|null);

                            /** PersistedValueSpec expirationSpec */
                            expirationSpec?: (io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties|null);

                            /** PersistedValueSpec typeTypename */
                            typeTypename?: (string|null);

                            /** Unknown fields preserved while decoding when enabled */
                            $unknowns?: Uint8Array[];
                        }

                        /** Shape of a PersistedValueSpec. */
                        type $Shape = io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties;
                    }

                    /**
                     * Properties of an IncompleteInvocationContext.
                     * @deprecated Use io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties instead.
                     */
                    interface IIncompleteInvocationContext extends io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties {
                    }

                    /** Represents an IncompleteInvocationContext. */
                    class IncompleteInvocationContext {

                        /**
                         * Constructs a new IncompleteInvocationContext.
                         * @param [properties] Properties to set
                         */
                        constructor(properties?: io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];

                        /** IncompleteInvocationContext missingValues. */
                        missingValues: io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties[];

                        /**
                         * Creates a new IncompleteInvocationContext instance using the specified properties.
                         * @param [properties] Properties to set
                         * @returns IncompleteInvocationContext instance
                         */
                        static create(properties: io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Shape): io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext & io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Shape;
                        static create(properties?: io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties): io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext;

                        /**
                         * Encodes the specified IncompleteInvocationContext message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.verify|verify} messages.
                         * @param message IncompleteInvocationContext message or plain object to encode
                         * @param [writer] Writer to encode to
                         * @returns Writer
                         */
                        static encode(message: io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                        /**
                         * Decodes an IncompleteInvocationContext message from the specified reader or buffer.
                         * @param reader Reader or buffer to decode from
                         * @param [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext & io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Shape} IncompleteInvocationContext
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext & io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Shape;
                    }

                    namespace IncompleteInvocationContext {

                        /** Properties of an IncompleteInvocationContext. */
                        interface $Properties {

                            /** IncompleteInvocationContext missingValues */
                            missingValues?: (io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties[]|null);

                            /** Unknown fields preserved while decoding when enabled */
                            $unknowns?: Uint8Array[];
                        }

                        /** Shape of an IncompleteInvocationContext. */
                        type $Shape = io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties;
                    }
                }
            }

            /** Namespace types. */
            namespace types {

                /**
                 * Properties of a BooleanWrapper.
                 * @deprecated Use io.statefun.sdk.types.BooleanWrapper.$Properties instead.
                 */
                interface IBooleanWrapper extends io.statefun.sdk.types.BooleanWrapper.$Properties {
                }

                /** Represents a BooleanWrapper. */
                class BooleanWrapper {

                    /**
                     * Constructs a new BooleanWrapper.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: io.statefun.sdk.types.BooleanWrapper.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** BooleanWrapper value. */
                    value: boolean;

                    /**
                     * Creates a new BooleanWrapper instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns BooleanWrapper instance
                     */
                    static create(properties: io.statefun.sdk.types.BooleanWrapper.$Shape): io.statefun.sdk.types.BooleanWrapper & io.statefun.sdk.types.BooleanWrapper.$Shape;
                    static create(properties?: io.statefun.sdk.types.BooleanWrapper.$Properties): io.statefun.sdk.types.BooleanWrapper;

                    /**
                     * Encodes the specified BooleanWrapper message. Does not implicitly {@link io.statefun.sdk.types.BooleanWrapper.verify|verify} messages.
                     * @param message BooleanWrapper message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: io.statefun.sdk.types.BooleanWrapper.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a BooleanWrapper message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.types.BooleanWrapper & io.statefun.sdk.types.BooleanWrapper.$Shape} BooleanWrapper
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.types.BooleanWrapper & io.statefun.sdk.types.BooleanWrapper.$Shape;
                }

                namespace BooleanWrapper {

                    /** Properties of a BooleanWrapper. */
                    interface $Properties {

                        /** BooleanWrapper value */
                        value?: (boolean|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a BooleanWrapper. */
                    type $Shape = io.statefun.sdk.types.BooleanWrapper.$Properties;
                }

                /**
                 * Properties of an IntWrapper.
                 * @deprecated Use io.statefun.sdk.types.IntWrapper.$Properties instead.
                 */
                interface IIntWrapper extends io.statefun.sdk.types.IntWrapper.$Properties {
                }

                /** Represents an IntWrapper. */
                class IntWrapper {

                    /**
                     * Constructs a new IntWrapper.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: io.statefun.sdk.types.IntWrapper.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** IntWrapper value. */
                    value: number;

                    /**
                     * Creates a new IntWrapper instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns IntWrapper instance
                     */
                    static create(properties: io.statefun.sdk.types.IntWrapper.$Shape): io.statefun.sdk.types.IntWrapper & io.statefun.sdk.types.IntWrapper.$Shape;
                    static create(properties?: io.statefun.sdk.types.IntWrapper.$Properties): io.statefun.sdk.types.IntWrapper;

                    /**
                     * Encodes the specified IntWrapper message. Does not implicitly {@link io.statefun.sdk.types.IntWrapper.verify|verify} messages.
                     * @param message IntWrapper message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: io.statefun.sdk.types.IntWrapper.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes an IntWrapper message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.types.IntWrapper & io.statefun.sdk.types.IntWrapper.$Shape} IntWrapper
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.types.IntWrapper & io.statefun.sdk.types.IntWrapper.$Shape;
                }

                namespace IntWrapper {

                    /** Properties of an IntWrapper. */
                    interface $Properties {

                        /** IntWrapper value */
                        value?: (number|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of an IntWrapper. */
                    type $Shape = io.statefun.sdk.types.IntWrapper.$Properties;
                }

                /**
                 * Properties of a FloatWrapper.
                 * @deprecated Use io.statefun.sdk.types.FloatWrapper.$Properties instead.
                 */
                interface IFloatWrapper extends io.statefun.sdk.types.FloatWrapper.$Properties {
                }

                /** Represents a FloatWrapper. */
                class FloatWrapper {

                    /**
                     * Constructs a new FloatWrapper.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: io.statefun.sdk.types.FloatWrapper.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** FloatWrapper value. */
                    value: number;

                    /**
                     * Creates a new FloatWrapper instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns FloatWrapper instance
                     */
                    static create(properties: io.statefun.sdk.types.FloatWrapper.$Shape): io.statefun.sdk.types.FloatWrapper & io.statefun.sdk.types.FloatWrapper.$Shape;
                    static create(properties?: io.statefun.sdk.types.FloatWrapper.$Properties): io.statefun.sdk.types.FloatWrapper;

                    /**
                     * Encodes the specified FloatWrapper message. Does not implicitly {@link io.statefun.sdk.types.FloatWrapper.verify|verify} messages.
                     * @param message FloatWrapper message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: io.statefun.sdk.types.FloatWrapper.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a FloatWrapper message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.types.FloatWrapper & io.statefun.sdk.types.FloatWrapper.$Shape} FloatWrapper
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.types.FloatWrapper & io.statefun.sdk.types.FloatWrapper.$Shape;
                }

                namespace FloatWrapper {

                    /** Properties of a FloatWrapper. */
                    interface $Properties {

                        /** FloatWrapper value */
                        value?: (number|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a FloatWrapper. */
                    type $Shape = io.statefun.sdk.types.FloatWrapper.$Properties;
                }

                /**
                 * Properties of a LongWrapper.
                 * @deprecated Use io.statefun.sdk.types.LongWrapper.$Properties instead.
                 */
                interface ILongWrapper extends io.statefun.sdk.types.LongWrapper.$Properties {
                }

                /** Represents a LongWrapper. */
                class LongWrapper {

                    /**
                     * Constructs a new LongWrapper.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: io.statefun.sdk.types.LongWrapper.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** LongWrapper value. */
                    value: number;

                    /**
                     * Creates a new LongWrapper instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns LongWrapper instance
                     */
                    static create(properties: io.statefun.sdk.types.LongWrapper.$Shape): io.statefun.sdk.types.LongWrapper & io.statefun.sdk.types.LongWrapper.$Shape;
                    static create(properties?: io.statefun.sdk.types.LongWrapper.$Properties): io.statefun.sdk.types.LongWrapper;

                    /**
                     * Encodes the specified LongWrapper message. Does not implicitly {@link io.statefun.sdk.types.LongWrapper.verify|verify} messages.
                     * @param message LongWrapper message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: io.statefun.sdk.types.LongWrapper.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a LongWrapper message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.types.LongWrapper & io.statefun.sdk.types.LongWrapper.$Shape} LongWrapper
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.types.LongWrapper & io.statefun.sdk.types.LongWrapper.$Shape;
                }

                namespace LongWrapper {

                    /** Properties of a LongWrapper. */
                    interface $Properties {

                        /** LongWrapper value */
                        value?: (number|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a LongWrapper. */
                    type $Shape = io.statefun.sdk.types.LongWrapper.$Properties;
                }

                /**
                 * Properties of a DoubleWrapper.
                 * @deprecated Use io.statefun.sdk.types.DoubleWrapper.$Properties instead.
                 */
                interface IDoubleWrapper extends io.statefun.sdk.types.DoubleWrapper.$Properties {
                }

                /** Represents a DoubleWrapper. */
                class DoubleWrapper {

                    /**
                     * Constructs a new DoubleWrapper.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: io.statefun.sdk.types.DoubleWrapper.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** DoubleWrapper value. */
                    value: number;

                    /**
                     * Creates a new DoubleWrapper instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns DoubleWrapper instance
                     */
                    static create(properties: io.statefun.sdk.types.DoubleWrapper.$Shape): io.statefun.sdk.types.DoubleWrapper & io.statefun.sdk.types.DoubleWrapper.$Shape;
                    static create(properties?: io.statefun.sdk.types.DoubleWrapper.$Properties): io.statefun.sdk.types.DoubleWrapper;

                    /**
                     * Encodes the specified DoubleWrapper message. Does not implicitly {@link io.statefun.sdk.types.DoubleWrapper.verify|verify} messages.
                     * @param message DoubleWrapper message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: io.statefun.sdk.types.DoubleWrapper.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a DoubleWrapper message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.types.DoubleWrapper & io.statefun.sdk.types.DoubleWrapper.$Shape} DoubleWrapper
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.types.DoubleWrapper & io.statefun.sdk.types.DoubleWrapper.$Shape;
                }

                namespace DoubleWrapper {

                    /** Properties of a DoubleWrapper. */
                    interface $Properties {

                        /** DoubleWrapper value */
                        value?: (number|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a DoubleWrapper. */
                    type $Shape = io.statefun.sdk.types.DoubleWrapper.$Properties;
                }

                /**
                 * Properties of a StringWrapper.
                 * @deprecated Use io.statefun.sdk.types.StringWrapper.$Properties instead.
                 */
                interface IStringWrapper extends io.statefun.sdk.types.StringWrapper.$Properties {
                }

                /** Represents a StringWrapper. */
                class StringWrapper {

                    /**
                     * Constructs a new StringWrapper.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: io.statefun.sdk.types.StringWrapper.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** StringWrapper value. */
                    value: string;

                    /**
                     * Creates a new StringWrapper instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns StringWrapper instance
                     */
                    static create(properties: io.statefun.sdk.types.StringWrapper.$Shape): io.statefun.sdk.types.StringWrapper & io.statefun.sdk.types.StringWrapper.$Shape;
                    static create(properties?: io.statefun.sdk.types.StringWrapper.$Properties): io.statefun.sdk.types.StringWrapper;

                    /**
                     * Encodes the specified StringWrapper message. Does not implicitly {@link io.statefun.sdk.types.StringWrapper.verify|verify} messages.
                     * @param message StringWrapper message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: io.statefun.sdk.types.StringWrapper.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a StringWrapper message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.types.StringWrapper & io.statefun.sdk.types.StringWrapper.$Shape} StringWrapper
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): io.statefun.sdk.types.StringWrapper & io.statefun.sdk.types.StringWrapper.$Shape;
                }

                namespace StringWrapper {

                    /** Properties of a StringWrapper. */
                    interface $Properties {

                        /** StringWrapper value */
                        value?: (string|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a StringWrapper. */
                    type $Shape = io.statefun.sdk.types.StringWrapper.$Properties;
                }
            }
        }
    }
}
