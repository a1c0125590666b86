/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
import $protobuf from "protobufjs/minimal.js";

// Common aliases
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;
const $Object = $util.global.Object, $undefined = $util.global.undefined, $Error = $util.global.Error, $RangeError = $util.global.RangeError;

// Exported root namespace
const $root = $protobuf.roots["default"] || ($protobuf.roots["default"] = {});

export const io = $root.io = (() => {

    /**
     * Namespace io.
     * @exports io
     * @namespace
     */
    const io = {};

    io.statefun = (function() {

        /**
         * Namespace statefun.
         * @memberof io
         * @namespace
         */
        const statefun = {};

        statefun.sdk = (function() {

            /**
             * Namespace sdk.
             * @memberof io.statefun
             * @namespace
             */
            const sdk = {};

            sdk.egress = (function() {

                /**
                 * Namespace egress.
                 * @memberof io.statefun.sdk
                 * @namespace
                 */
                const egress = {};

                egress.KafkaProducerRecord = (function() {

                    /**
                     * Properties of a KafkaProducerRecord.
                     * @typedef {Object} io.statefun.sdk.egress.KafkaProducerRecord.$Properties
                     * @property {string|null} [key] KafkaProducerRecord key
                     * @property {Uint8Array|null} [valueBytes] KafkaProducerRecord valueBytes
                     * @property {string|null} [topic] KafkaProducerRecord topic
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */

                    /**
                     * Properties of a KafkaProducerRecord.
                     * @memberof io.statefun.sdk.egress
                     * @interface IKafkaProducerRecord
                     * @augments io.statefun.sdk.egress.KafkaProducerRecord.$Properties
                     * @deprecated Use io.statefun.sdk.egress.KafkaProducerRecord.$Properties instead.
                     */

                    /**
                     * Shape of a KafkaProducerRecord.
                     * @typedef {io.statefun.sdk.egress.KafkaProducerRecord.$Properties} io.statefun.sdk.egress.KafkaProducerRecord.$Shape
                     */

                    /**
                     * Constructs a new KafkaProducerRecord.
                     * @memberof io.statefun.sdk.egress
                     * @classdesc Represents a KafkaProducerRecord.
                     * @constructor
                     * @param {io.statefun.sdk.egress.KafkaProducerRecord.$Properties=} [properties] Properties to set
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */
                    const KafkaProducerRecord = function (properties) {
                        if (properties)
                            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                    this[keys[i]] = properties[keys[i]];
                    };

                    /**
                     * KafkaProducerRecord key.
                     * @member {string} key
                     * @memberof io.statefun.sdk.egress.KafkaProducerRecord
                     * @instance
                     */
                    KafkaProducerRecord.prototype.key = "";

                    /**
                     * KafkaProducerRecord valueBytes.
                     * @member {Uint8Array} valueBytes
                     * @memberof io.statefun.sdk.egress.KafkaProducerRecord
                     * @instance
                     */
                    KafkaProducerRecord.prototype.valueBytes = $util.newBuffer([]);

                    /**
                     * KafkaProducerRecord topic.
                     * @member {string} topic
                     * @memberof io.statefun.sdk.egress.KafkaProducerRecord
                     * @instance
                     */
                    KafkaProducerRecord.prototype.topic = "";

                    /**
                     * Creates a new KafkaProducerRecord instance using the specified properties.
                     * @function create
                     * @memberof io.statefun.sdk.egress.KafkaProducerRecord
                     * @static
                     * @param {io.statefun.sdk.egress.KafkaProducerRecord.$Properties=} [properties] Properties to set
                     * @returns {io.statefun.sdk.egress.KafkaProducerRecord} KafkaProducerRecord instance
                     * @type {{
                     *   (properties: io.statefun.sdk.egress.KafkaProducerRecord.$Shape): io.statefun.sdk.egress.KafkaProducerRecord & io.statefun.sdk.egress.KafkaProducerRecord.$Shape;
                     *   (properties?: io.statefun.sdk.egress.KafkaProducerRecord.$Properties): io.statefun.sdk.egress.KafkaProducerRecord;
                     * }}
                     */
                    KafkaProducerRecord.create = function(properties) {
                        return new KafkaProducerRecord(properties);
                    };

                    /**
                     * Encodes the specified KafkaProducerRecord message. Does not implicitly {@link io.statefun.sdk.egress.KafkaProducerRecord.verify|verify} messages.
                     * @function encode
                     * @memberof io.statefun.sdk.egress.KafkaProducerRecord
                     * @static
                     * @param {io.statefun.sdk.egress.KafkaProducerRecord.$Properties} message KafkaProducerRecord message or plain object to encode
                     * @param {$protobuf.Writer} [writer] Writer to encode to
                     * @returns {$protobuf.Writer} Writer
                     */
                    KafkaProducerRecord.encode = function (message, writer, _depth) {
                        if (!writer)
                            writer = $Writer.create();
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $util.recursionLimit)
                            throw $Error("max depth exceeded");
                        if (message.key != null && $Object.hasOwnProperty.call(message, "key") && message.key !== "")
                            writer.uint32(/* id 1, wireType 2 =*/10).string(message.key);
                        if (message.valueBytes != null && $Object.hasOwnProperty.call(message, "valueBytes") && message.valueBytes.length)
                            writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.valueBytes);
                        if (message.topic != null && $Object.hasOwnProperty.call(message, "topic") && message.topic !== "")
                            writer.uint32(/* id 3, wireType 2 =*/26).string(message.topic);
                        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                            for (let i = 0; i < message.$unknowns.length; ++i)
                                writer.raw(message.$unknowns[i]);
                        return writer;
                    };

                    /**
                     * Decodes a KafkaProducerRecord message from the specified reader or buffer.
                     * @function decode
                     * @memberof io.statefun.sdk.egress.KafkaProducerRecord
                     * @static
                     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                     * @param {number} [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.egress.KafkaProducerRecord & io.statefun.sdk.egress.KafkaProducerRecord.$Shape} KafkaProducerRecord
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    KafkaProducerRecord.decode = function (reader, length, _end, _depth, _target) {
                        if (!(reader instanceof $Reader))
                            reader = $Reader.create(reader);
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $Reader.recursionLimit)
                            throw $Error("max depth exceeded");
                        let end, message, value;
                        if (length === $undefined)
                            end = reader.len;
                        else {
                            end = reader.pos + length;
                            if (end > reader.len)
                                throw $RangeError("index out of range");
                            length = reader.len;
                            reader.len = end;
                        }
                        message = _target || new $root.io.statefun.sdk.egress.KafkaProducerRecord();
                        while (reader.pos < end) {
                            let start = reader.pos;
                            let tag = reader.tag();
                            if (tag === _end) {
                                _end = $undefined;
                                break;
                            }
                            let wireType = tag & 7;
                            switch (tag >>>= 3) {
                            case 1: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.key = value;
                                    else
                                        delete message.key;
                                    continue;
                                }
                            case 2: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.bytes()).length)
                                        message.valueBytes = value;
                                    else
                                        delete message.valueBytes;
                                    continue;
                                }
                            case 3: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.topic = value;
                                    else
                                        delete message.topic;
                                    continue;
                                }
                            }
                            reader.skipType(wireType, _depth, tag);
                            if (!reader.discardUnknown) {
                                $util.makeProp(message, "$unknowns", false);
                                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                            }
                        }
                        if (length !== $undefined) {
                            if (reader.pos !== end)
                                throw $RangeError("index out of range");
                            reader.len = length;
                        }
                        if (_end !== $undefined)
                            throw $Error("missing end group");
                        return message;
                    };

                    return KafkaProducerRecord;
                })();

                egress.KinesisEgressRecord = (function() {

                    /**
                     * Properties of a KinesisEgressRecord.
                     * @typedef {Object} io.statefun.sdk.egress.KinesisEgressRecord.$Properties
                     * @property {string|null} [partitionKey] KinesisEgressRecord partitionKey
                     * @property {Uint8Array|null} [valueBytes] KinesisEgressRecord valueBytes
                     * @property {string|null} [stream] KinesisEgressRecord stream
                     * @property {string|null} [explicitHashKey] KinesisEgressRecord explicitHashKey
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */

                    /**
                     * Properties of a KinesisEgressRecord.
                     * @memberof io.statefun.sdk.egress
                     * @interface IKinesisEgressRecord
                     * @augments io.statefun.sdk.egress.KinesisEgressRecord.$Properties
                     * @deprecated Use io.statefun.sdk.egress.KinesisEgressRecord.$Properties instead.
                     */

                    /**
                     * Shape of a KinesisEgressRecord.
                     * @typedef {io.statefun.sdk.egress.KinesisEgressRecord.$Properties} io.statefun.sdk.egress.KinesisEgressRecord.$Shape
                     */

                    /**
                     * Constructs a new KinesisEgressRecord.
                     * @memberof io.statefun.sdk.egress
                     * @classdesc Represents a KinesisEgressRecord.
                     * @constructor
                     * @param {io.statefun.sdk.egress.KinesisEgressRecord.$Properties=} [properties] Properties to set
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */
                    const KinesisEgressRecord = function (properties) {
                        if (properties)
                            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                    this[keys[i]] = properties[keys[i]];
                    };

                    /**
                     * KinesisEgressRecord partitionKey.
                     * @member {string} partitionKey
                     * @memberof io.statefun.sdk.egress.KinesisEgressRecord
                     * @instance
                     */
                    KinesisEgressRecord.prototype.partitionKey = "";

                    /**
                     * KinesisEgressRecord valueBytes.
                     * @member {Uint8Array} valueBytes
                     * @memberof io.statefun.sdk.egress.KinesisEgressRecord
                     * @instance
                     */
                    KinesisEgressRecord.prototype.valueBytes = $util.newBuffer([]);

                    /**
                     * KinesisEgressRecord stream.
                     * @member {string} stream
                     * @memberof io.statefun.sdk.egress.KinesisEgressRecord
                     * @instance
                     */
                    KinesisEgressRecord.prototype.stream = "";

                    /**
                     * KinesisEgressRecord explicitHashKey.
                     * @member {string} explicitHashKey
                     * @memberof io.statefun.sdk.egress.KinesisEgressRecord
                     * @instance
                     */
                    KinesisEgressRecord.prototype.explicitHashKey = "";

                    /**
                     * Creates a new KinesisEgressRecord instance using the specified properties.
                     * @function create
                     * @memberof io.statefun.sdk.egress.KinesisEgressRecord
                     * @static
                     * @param {io.statefun.sdk.egress.KinesisEgressRecord.$Properties=} [properties] Properties to set
                     * @returns {io.statefun.sdk.egress.KinesisEgressRecord} KinesisEgressRecord instance
                     * @type {{
                     *   (properties: io.statefun.sdk.egress.KinesisEgressRecord.$Shape): io.statefun.sdk.egress.KinesisEgressRecord & io.statefun.sdk.egress.KinesisEgressRecord.$Shape;
                     *   (properties?: io.statefun.sdk.egress.KinesisEgressRecord.$Properties): io.statefun.sdk.egress.KinesisEgressRecord;
                     * }}
                     */
                    KinesisEgressRecord.create = function(properties) {
                        return new KinesisEgressRecord(properties);
                    };

                    /**
                     * Encodes the specified KinesisEgressRecord message. Does not implicitly {@link io.statefun.sdk.egress.KinesisEgressRecord.verify|verify} messages.
                     * @function encode
                     * @memberof io.statefun.sdk.egress.KinesisEgressRecord
                     * @static
                     * @param {io.statefun.sdk.egress.KinesisEgressRecord.$Properties} message KinesisEgressRecord message or plain object to encode
                     * @param {$protobuf.Writer} [writer] Writer to encode to
                     * @returns {$protobuf.Writer} Writer
                     */
                    KinesisEgressRecord.encode = function (message, writer, _depth) {
                        if (!writer)
                            writer = $Writer.create();
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $util.recursionLimit)
                            throw $Error("max depth exceeded");
                        if (message.partitionKey != null && $Object.hasOwnProperty.call(message, "partitionKey") && message.partitionKey !== "")
                            writer.uint32(/* id 1, wireType 2 =*/10).string(message.partitionKey);
                        if (message.valueBytes != null && $Object.hasOwnProperty.call(message, "valueBytes") && message.valueBytes.length)
                            writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.valueBytes);
                        if (message.stream != null && $Object.hasOwnProperty.call(message, "stream") && message.stream !== "")
                            writer.uint32(/* id 3, wireType 2 =*/26).string(message.stream);
                        if (message.explicitHashKey != null && $Object.hasOwnProperty.call(message, "explicitHashKey") && message.explicitHashKey !== "")
                            writer.uint32(/* id 4, wireType 2 =*/34).string(message.explicitHashKey);
                        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                            for (let i = 0; i < message.$unknowns.length; ++i)
                                writer.raw(message.$unknowns[i]);
                        return writer;
                    };

                    /**
                     * Decodes a KinesisEgressRecord message from the specified reader or buffer.
                     * @function decode
                     * @memberof io.statefun.sdk.egress.KinesisEgressRecord
                     * @static
                     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                     * @param {number} [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.egress.KinesisEgressRecord & io.statefun.sdk.egress.KinesisEgressRecord.$Shape} KinesisEgressRecord
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    KinesisEgressRecord.decode = function (reader, length, _end, _depth, _target) {
                        if (!(reader instanceof $Reader))
                            reader = $Reader.create(reader);
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $Reader.recursionLimit)
                            throw $Error("max depth exceeded");
                        let end, message, value;
                        if (length === $undefined)
                            end = reader.len;
                        else {
                            end = reader.pos + length;
                            if (end > reader.len)
                                throw $RangeError("index out of range");
                            length = reader.len;
                            reader.len = end;
                        }
                        message = _target || new $root.io.statefun.sdk.egress.KinesisEgressRecord();
                        while (reader.pos < end) {
                            let start = reader.pos;
                            let tag = reader.tag();
                            if (tag === _end) {
                                _end = $undefined;
                                break;
                            }
                            let wireType = tag & 7;
                            switch (tag >>>= 3) {
                            case 1: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.partitionKey = value;
                                    else
                                        delete message.partitionKey;
                                    continue;
                                }
                            case 2: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.bytes()).length)
                                        message.valueBytes = value;
                                    else
                                        delete message.valueBytes;
                                    continue;
                                }
                            case 3: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.stream = value;
                                    else
                                        delete message.stream;
                                    continue;
                                }
                            case 4: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.explicitHashKey = value;
                                    else
                                        delete message.explicitHashKey;
                                    continue;
                                }
                            }
                            reader.skipType(wireType, _depth, tag);
                            if (!reader.discardUnknown) {
                                $util.makeProp(message, "$unknowns", false);
                                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                            }
                        }
                        if (length !== $undefined) {
                            if (reader.pos !== end)
                                throw $RangeError("index out of range");
                            reader.len = length;
                        }
                        if (_end !== $undefined)
                            throw $Error("missing end group");
                        return message;
                    };

                    return KinesisEgressRecord;
                })();

                return egress;
            })();

            sdk.reqreply = (function() {

                /**
                 * Namespace reqreply.
                 * @memberof io.statefun.sdk
                 * @namespace
                 */
                const reqreply = {};

                reqreply.Address = (function() {

                    /**
                     * Properties of an Address.
                     * @typedef {Object} io.statefun.sdk.reqreply.Address.$Properties
                     * @property {string|null} [namespace] Address namespace
                     * @property {string|null} [type] Address type
                     * @property {string|null} [id] Address id
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */

                    /**
                     * Properties of an Address.
                     * @memberof io.statefun.sdk.reqreply
                     * @interface IAddress
                     * @augments io.statefun.sdk.reqreply.Address.$Properties
                     * @deprecated Use io.statefun.sdk.reqreply.Address.$Properties instead.
                     */

                    /**
                     * Shape of an Address.
                     * @typedef {io.statefun.sdk.reqreply.Address.$Properties} io.statefun.sdk.reqreply.Address.$Shape
                     */

                    /**
                     * Constructs a new Address.
                     * @memberof io.statefun.sdk.reqreply
                     * @classdesc Represents an Address.
                     * @constructor
                     * @param {io.statefun.sdk.reqreply.Address.$Properties=} [properties] Properties to set
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */
                    const Address = function (properties) {
                        if (properties)
                            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                    this[keys[i]] = properties[keys[i]];
                    };

                    /**
                     * Address namespace.
                     * @member {string} namespace
                     * @memberof io.statefun.sdk.reqreply.Address
                     * @instance
                     */
                    Address.prototype.namespace = "";

                    /**
                     * Address type.
                     * @member {string} type
                     * @memberof io.statefun.sdk.reqreply.Address
                     * @instance
                     */
                    Address.prototype.type = "";

                    /**
                     * Address id.
                     * @member {string} id
                     * @memberof io.statefun.sdk.reqreply.Address
                     * @instance
                     */
                    Address.prototype.id = "";

                    /**
                     * Creates a new Address instance using the specified properties.
                     * @function create
                     * @memberof io.statefun.sdk.reqreply.Address
                     * @static
                     * @param {io.statefun.sdk.reqreply.Address.$Properties=} [properties] Properties to set
                     * @returns {io.statefun.sdk.reqreply.Address} Address instance
                     * @type {{
                     *   (properties: io.statefun.sdk.reqreply.Address.$Shape): io.statefun.sdk.reqreply.Address & io.statefun.sdk.reqreply.Address.$Shape;
                     *   (properties?: io.statefun.sdk.reqreply.Address.$Properties): io.statefun.sdk.reqreply.Address;
                     * }}
                     */
                    Address.create = function(properties) {
                        return new Address(properties);
                    };

                    /**
                     * Encodes the specified Address message. Does not implicitly {@link io.statefun.sdk.reqreply.Address.verify|verify} messages.
                     * @function encode
                     * @memberof io.statefun.sdk.reqreply.Address
                     * @static
                     * @param {io.statefun.sdk.reqreply.Address.$Properties} message Address message or plain object to encode
                     * @param {$protobuf.Writer} [writer] Writer to encode to
                     * @returns {$protobuf.Writer} Writer
                     */
                    Address.encode = function (message, writer, _depth) {
                        if (!writer)
                            writer = $Writer.create();
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $util.recursionLimit)
                            throw $Error("max depth exceeded");
                        if (message.namespace != null && $Object.hasOwnProperty.call(message, "namespace") && message.namespace !== "")
                            writer.uint32(/* id 1, wireType 2 =*/10).string(message.namespace);
                        if (message.type != null && $Object.hasOwnProperty.call(message, "type") && message.type !== "")
                            writer.uint32(/* id 2, wireType 2 =*/18).string(message.type);
                        if (message.id != null && $Object.hasOwnProperty.call(message, "id") && message.id !== "")
                            writer.uint32(/* id 3, wireType 2 =*/26).string(message.id);
                        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                            for (let i = 0; i < message.$unknowns.length; ++i)
                                writer.raw(message.$unknowns[i]);
                        return writer;
                    };

                    /**
                     * Decodes an Address message from the specified reader or buffer.
                     * @function decode
                     * @memberof io.statefun.sdk.reqreply.Address
                     * @static
                     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                     * @param {number} [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.reqreply.Address & io.statefun.sdk.reqreply.Address.$Shape} Address
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    Address.decode = function (reader, length, _end, _depth, _target) {
                        if (!(reader instanceof $Reader))
                            reader = $Reader.create(reader);
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $Reader.recursionLimit)
                            throw $Error("max depth exceeded");
                        let end, message, value;
                        if (length === $undefined)
                            end = reader.len;
                        else {
                            end = reader.pos + length;
                            if (end > reader.len)
                                throw $RangeError("index out of range");
                            length = reader.len;
                            reader.len = end;
                        }
                        message = _target || new $root.io.statefun.sdk.reqreply.Address();
                        while (reader.pos < end) {
                            let start = reader.pos;
                            let tag = reader.tag();
                            if (tag === _end) {
                                _end = $undefined;
                                break;
                            }
                            let wireType = tag & 7;
                            switch (tag >>>= 3) {
                            case 1: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.namespace = value;
                                    else
                                        delete message.namespace;
                                    continue;
                                }
                            case 2: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.type = value;
                                    else
                                        delete message.type;
                                    continue;
                                }
                            case 3: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.id = value;
                                    else
                                        delete message.id;
                                    continue;
                                }
                            }
                            reader.skipType(wireType, _depth, tag);
                            if (!reader.discardUnknown) {
                                $util.makeProp(message, "$unknowns", false);
                                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                            }
                        }
                        if (length !== $undefined) {
                            if (reader.pos !== end)
                                throw $RangeError("index out of range");
                            reader.len = length;
                        }
                        if (_end !== $undefined)
                            throw $Error("missing end group");
                        return message;
                    };

                    return Address;
                })();

                reqreply.TypedValue = (function() {

                    /**
                     * Properties of a TypedValue.
                     * @typedef {Object} io.statefun.sdk.reqreply.TypedValue.$Properties
                     * @property {string|null} [typename] TypedValue typename
                     * @property {boolean|null} [hasValue] TypedValue hasValue
                     * @property {Uint8Array|null} [value] TypedValue value
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */

                    /**
                     * Properties of a TypedValue.
                     * @memberof io.statefun.sdk.reqreply
                     * @interface ITypedValue
                     * @augments io.statefun.sdk.reqreply.TypedValue.$Properties
                     * @deprecated Use io.statefun.sdk.reqreply.TypedValue.$Properties instead.
                     */

                    /**
                     * Shape of a TypedValue.
                     * @typedef {io.statefun.sdk.reqreply.TypedValue.$Properties} io.statefun.sdk.reqreply.TypedValue.$Shape
                     */

                    /**
                     * Constructs a new TypedValue.
                     * @memberof io.statefun.sdk.reqreply
                     * @classdesc Represents a TypedValue.
                     * @constructor
                     * @param {io.statefun.sdk.reqreply.TypedValue.$Properties=} [properties] Properties to set
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */
                    const TypedValue = function (properties) {
                        if (properties)
                            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                    this[keys[i]] = properties[keys[i]];
                    };

                    /**
                     * TypedValue typename.
                     * @member {string} typename
                     * @memberof io.statefun.sdk.reqreply.TypedValue
                     * @instance
                     */
                    TypedValue.prototype.typename = "";

                    /**
                     * TypedValue hasValue.
                     * @member {boolean} hasValue
                     * @memberof io.statefun.sdk.reqreply.TypedValue
                     * @instance
                     */
                    TypedValue.prototype.hasValue = false;

                    /**
                     * TypedValue value.
                     * @member {Uint8Array} value
                     * @memberof io.statefun.sdk.reqreply.TypedValue
                     * @instance
                     */
                    TypedValue.prototype.value = $util.newBuffer([]);

                    /**
                     * Creates a new TypedValue instance using the specified properties.
                     * @function create
                     * @memberof io.statefun.sdk.reqreply.TypedValue
                     * @static
                     * @param {io.statefun.sdk.reqreply.TypedValue.$Properties=} [properties] Properties to set
                     * @returns {io.statefun.sdk.reqreply.TypedValue} TypedValue instance
                     * @type {{
                     *   (properties: io.statefun.sdk.reqreply.TypedValue.$Shape): io.statefun.sdk.reqreply.TypedValue & io.statefun.sdk.reqreply.TypedValue.$Shape;
                     *   (properties?: io.statefun.sdk.reqreply.TypedValue.$Properties): io.statefun.sdk.reqreply.TypedValue;
                     * }}
                     */
                    TypedValue.create = function(properties) {
                        return new TypedValue(properties);
                    };

                    /**
                     * Encodes the specified TypedValue message. Does not implicitly {@link io.statefun.sdk.reqreply.TypedValue.verify|verify} messages.
                     * @function encode
                     * @memberof io.statefun.sdk.reqreply.TypedValue
                     * @static
                     * @param {io.statefun.sdk.reqreply.TypedValue.$Properties} message TypedValue message or plain object to encode
                     * @param {$protobuf.Writer} [writer] Writer to encode to
                     * @returns {$protobuf.Writer} Writer
                     */
                    TypedValue.encode = function (message, writer, _depth) {
                        if (!writer)
                            writer = $Writer.create();
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $util.recursionLimit)
                            throw $Error("max depth exceeded");
                        if (message.typename != null && $Object.hasOwnProperty.call(message, "typename") && message.typename !== "")
                            writer.uint32(/* id 1, wireType 2 =*/10).string(message.typename);
                        if (message.hasValue != null && $Object.hasOwnProperty.call(message, "hasValue") && message.hasValue !== false)
                            writer.uint32(/* id 2, wireType 0 =*/16).bool(message.hasValue);
                        if (message.value != null && $Object.hasOwnProperty.call(message, "value") && message.value.length)
                            writer.uint32(/* id 3, wireType 2 =*/26).bytes(message.value);
                        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                            for (let i = 0; i < message.$unknowns.length; ++i)
                                writer.raw(message.$unknowns[i]);
                        return writer;
                    };

                    /**
                     * Decodes a TypedValue message from the specified reader or buffer.
                     * @function decode
                     * @memberof io.statefun.sdk.reqreply.TypedValue
                     * @static
                     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                     * @param {number} [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.reqreply.TypedValue & io.statefun.sdk.reqreply.TypedValue.$Shape} TypedValue
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    TypedValue.decode = function (reader, length, _end, _depth, _target) {
                        if (!(reader instanceof $Reader))
                            reader = $Reader.create(reader);
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $Reader.recursionLimit)
                            throw $Error("max depth exceeded");
                        let end, message, value;
                        if (length === $undefined)
                            end = reader.len;
                        else {
                            end = reader.pos + length;
                            if (end > reader.len)
                                throw $RangeError("index out of range");
                            length = reader.len;
                            reader.len = end;
                        }
                        message = _target || new $root.io.statefun.sdk.reqreply.TypedValue();
                        while (reader.pos < end) {
                            let start = reader.pos;
                            let tag = reader.tag();
                            if (tag === _end) {
                                _end = $undefined;
                                break;
                            }
                            let wireType = tag & 7;
                            switch (tag >>>= 3) {
                            case 1: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.typename = value;
                                    else
                                        delete message.typename;
                                    continue;
                                }
                            case 2: {
                                    if (wireType !== 0)
                                        break;
                                    if (value = reader.bool())
                                        message.hasValue = value;
                                    else
                                        delete message.hasValue;
                                    continue;
                                }
                            case 3: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.bytes()).length)
                                        message.value = value;
                                    else
                                        delete message.value;
                                    continue;
                                }
                            }
                            reader.skipType(wireType, _depth, tag);
                            if (!reader.discardUnknown) {
                                $util.makeProp(message, "$unknowns", false);
                                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                            }
                        }
                        if (length !== $undefined) {
                            if (reader.pos !== end)
                                throw $RangeError("index out of range");
                            reader.len = length;
                        }
                        if (_end !== $undefined)
                            throw $Error("missing end group");
                        return message;
                    };

                    return TypedValue;
                })();

                reqreply.ToFunction = (function() {

                    /**
                     * Properties of a ToFunction.
                     * @typedef {Object} io.statefun.sdk.reqreply.ToFunction.$Properties
                     * @property {io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties|null} [invocation] ToFunction invocation
                     * @property {"invocation"} [request] ToFunction request
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */

                    /**
                     * Properties of a ToFunction.
                     * @memberof io.statefun.sdk.reqreply
                     * @interface IToFunction
                     * @augments io.statefun.sdk.reqreply.ToFunction.$Properties
                     * @deprecated Use io.statefun.sdk.reqreply.ToFunction.$Properties instead.
                     */

                    /**
                     * Narrowed shape of a ToFunction.
                     * @typedef {{
                     *   invocation?: io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Shape|null;
                     *   $unknowns?: Array.<Uint8Array>;
                     * } & (
                     *   ({ request?: undefined; invocation?: null }|{ request?: "invocation"; invocation: io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Shape })
                     * )} io.statefun.sdk.reqreply.ToFunction.$Shape
                     */

                    /**
                     * Constructs a new ToFunction.
                     * @memberof io.statefun.sdk.reqreply
                     * @classdesc Represents a ToFunction.
                     * @constructor
                     * @param {io.statefun.sdk.reqreply.ToFunction.$Properties=} [properties] Properties to set
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */
                    const ToFunction = function (properties) {
                        if (properties)
                            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                    this[keys[i]] = properties[keys[i]];
                    };

                    /**
                     * ToFunction invocation.
                     * @member {io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties|null|undefined} invocation
                     * @memberof io.statefun.sdk.reqreply.ToFunction
                     * @instance
                     */
                    ToFunction.prototype.invocation = null;

                    // OneOf field names bound to virtual getters and setters
                    let $oneOfFields;

                    /**
                     * ToFunction request.
                     * @member {"invocation"|undefined} request
                     * @memberof io.statefun.sdk.reqreply.ToFunction
                     * @instance
                     */
                    $Object.defineProperty(ToFunction.prototype, "request", {
                        get: $util.oneOfGetter($oneOfFields = ["invocation"]),
                        set: $util.oneOfSetter($oneOfFields)
                    });

                    /**
                     * Creates a new ToFunction instance using the specified properties.
                     * @function create
                     * @memberof io.statefun.sdk.reqreply.ToFunction
                     * @static
                     * @param {io.statefun.sdk.reqreply.ToFunction.$Properties=} [properties] Properties to set
                     * @returns {io.statefun.sdk.reqreply.ToFunction} ToFunction instance
                     * @type {{
                     *   (properties: io.statefun.sdk.reqreply.ToFunction.$Shape): io.statefun.sdk.reqreply.ToFunction & io.statefun.sdk.reqreply.ToFunction.$Shape;
                     *   (properties?: io.statefun.sdk.reqreply.ToFunction.$Properties): io.statefun.sdk.reqreply.ToFunction;
                     * }}
                     */
                    ToFunction.create = function(properties) {
                        return new ToFunction(properties);
                    };

                    /**
                     * Encodes the specified ToFunction message. Does not implicitly {@link io.statefun.sdk.reqreply.ToFunction.verify|verify} messages.
                     * @function encode
                     * @memberof io.statefun.sdk.reqreply.ToFunction
                     * @static
                     * @param {io.statefun.sdk.reqreply.ToFunction.$Properties} message ToFunction message or plain object to encode
                     * @param {$protobuf.Writer} [writer] Writer to encode to
                     * @returns {$protobuf.Writer} Writer
                     */
                    ToFunction.encode = function (message, writer, _depth) {
                        if (!writer)
                            writer = $Writer.create();
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $util.recursionLimit)
                            throw $Error("max depth exceeded");
                        if (message.invocation != null && $Object.hasOwnProperty.call(message, "invocation"))
                            $root.io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.encode(message.invocation, writer.uint32(/* id 100, wireType 2 =*/802).fork(), _depth + 1).ldelim();
                        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                            for (let i = 0; i < message.$unknowns.length; ++i)
                                writer.raw(message.$unknowns[i]);
                        return writer;
                    };

                    /**
                     * Decodes a ToFunction message from the specified reader or buffer.
                     * @function decode
                     * @memberof io.statefun.sdk.reqreply.ToFunction
                     * @static
                     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                     * @param {number} [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.reqreply.ToFunction & io.statefun.sdk.reqreply.ToFunction.$Shape} ToFunction
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    ToFunction.decode = function (reader, length, _end, _depth, _target) {
                        if (!(reader instanceof $Reader))
                            reader = $Reader.create(reader);
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $Reader.recursionLimit)
                            throw $Error("max depth exceeded");
                        let end, message;
                        if (length === $undefined)
                            end = reader.len;
                        else {
                            end = reader.pos + length;
                            if (end > reader.len)
                                throw $RangeError("index out of range");
                            length = reader.len;
                            reader.len = end;
                        }
                        message = _target || new $root.io.statefun.sdk.reqreply.ToFunction();
                        while (reader.pos < end) {
                            let start = reader.pos;
                            let tag = reader.tag();
                            if (tag === _end) {
                                _end = $undefined;
                                break;
                            }
                            let wireType = tag & 7;
                            switch (tag >>>= 3) {
                            case 100: {
                                    if (wireType !== 2)
                                        break;
                                    message.invocation = $root.io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.invocation);
                                    message.request = "invocation";
                                    continue;
                                }
                            }
                            reader.skipType(wireType, _depth, tag);
                            if (!reader.discardUnknown) {
                                $util.makeProp(message, "$unknowns", false);
                                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                            }
                        }
                        if (length !== $undefined) {
                            if (reader.pos !== end)
                                throw $RangeError("index out of range");
                            reader.len = length;
                        }
                        if (_end !== $undefined)
                            throw $Error("missing end group");
                        return message;
                    };

                    ToFunction.PersistedValue = (function() {

                        /**
                         * Properties of a PersistedValue.
                         * @typedef {Object} io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties
                         * @property {string|null} [stateName] PersistedValue stateName
                         * @property {io.statefun.sdk.reqreply.TypedValue.$Properties|null} [stateValue] PersistedValue stateValue
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */

                        /**
                         * Properties of a PersistedValue.
                         * @memberof io.statefun.sdk.reqreply.ToFunction
                         * @interface IPersistedValue
                         * @augments io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties
                         * @deprecated Use io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties instead.
                         */

                        /**
                         * Shape of a PersistedValue.
                         * @typedef {io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties} io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Shape
                         */

                        /**
                         * Constructs a new PersistedValue.
                         * @memberof io.statefun.sdk.reqreply.ToFunction
                         * @classdesc Represents a PersistedValue.
                         * @constructor
                         * @param {io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties=} [properties] Properties to set
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */
                        const PersistedValue = function (properties) {
                            if (properties)
                                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                        this[keys[i]] = properties[keys[i]];
                        };

                        /**
                         * PersistedValue stateName.
                         * @member {string} stateName
                         * @memberof io.statefun.sdk.reqreply.ToFunction.PersistedValue
                         * @instance
                         */
                        PersistedValue.prototype.stateName = "";

                        /**
                         * PersistedValue stateValue.
                         * @member {io.statefun.sdk.reqreply.TypedValue.$Properties|null|undefined} stateValue
                         * @memberof io.statefun.sdk.reqreply.ToFunction.PersistedValue
                         * @instance
                         */
                        PersistedValue.prototype.stateValue = null;

                        /**
                         * Creates a new PersistedValue instance using the specified properties.
                         * @function create
                         * @memberof io.statefun.sdk.reqreply.ToFunction.PersistedValue
                         * @static
                         * @param {io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties=} [properties] Properties to set
                         * @returns {io.statefun.sdk.reqreply.ToFunction.PersistedValue} PersistedValue instance
                         * @type {{
                         *   (properties: io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Shape): io.statefun.sdk.reqreply.ToFunction.PersistedValue & io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Shape;
                         *   (properties?: io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties): io.statefun.sdk.reqreply.ToFunction.PersistedValue;
                         * }}
                         */
                        PersistedValue.create = function(properties) {
                            return new PersistedValue(properties);
                        };

                        /**
                         * Encodes the specified PersistedValue message. Does not implicitly {@link io.statefun.sdk.reqreply.ToFunction.PersistedValue.verify|verify} messages.
                         * @function encode
                         * @memberof io.statefun.sdk.reqreply.ToFunction.PersistedValue
                         * @static
                         * @param {io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties} message PersistedValue message or plain object to encode
                         * @param {$protobuf.Writer} [writer] Writer to encode to
                         * @returns {$protobuf.Writer} Writer
                         */
                        PersistedValue.encode = function (message, writer, _depth) {
                            if (!writer)
                                writer = $Writer.create();
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $util.recursionLimit)
                                throw $Error("max depth exceeded");
                            if (message.stateName != null && $Object.hasOwnProperty.call(message, "stateName") && message.stateName !== "")
                                writer.uint32(/* id 1, wireType 2 =*/10).string(message.stateName);
                            if (message.stateValue != null && $Object.hasOwnProperty.call(message, "stateValue"))
                                $root.io.statefun.sdk.reqreply.TypedValue.encode(message.stateValue, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                                for (let i = 0; i < message.$unknowns.length; ++i)
                                    writer.raw(message.$unknowns[i]);
                            return writer;
                        };

                        /**
                         * Decodes a PersistedValue message from the specified reader or buffer.
                         * @function decode
                         * @memberof io.statefun.sdk.reqreply.ToFunction.PersistedValue
                         * @static
                         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                         * @param {number} [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.ToFunction.PersistedValue & io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Shape} PersistedValue
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        PersistedValue.decode = function (reader, length, _end, _depth, _target) {
                            if (!(reader instanceof $Reader))
                                reader = $Reader.create(reader);
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $Reader.recursionLimit)
                                throw $Error("max depth exceeded");
                            let end, message, value;
                            if (length === $undefined)
                                end = reader.len;
                            else {
                                end = reader.pos + length;
                                if (end > reader.len)
                                    throw $RangeError("index out of range");
                                length = reader.len;
                                reader.len = end;
                            }
                            message = _target || new $root.io.statefun.sdk.reqreply.ToFunction.PersistedValue();
                            while (reader.pos < end) {
                                let start = reader.pos;
                                let tag = reader.tag();
                                if (tag === _end) {
                                    _end = $undefined;
                                    break;
                                }
                                let wireType = tag & 7;
                                switch (tag >>>= 3) {
                                case 1: {
                                        if (wireType !== 2)
                                            break;
                                        if ((value = reader.stringVerify()).length)
                                            message.stateName = value;
                                        else
                                            delete message.stateName;
                                        continue;
                                    }
                                case 2: {
                                        if (wireType !== 2)
                                            break;
                                        message.stateValue = $root.io.statefun.sdk.reqreply.TypedValue.decode(reader, reader.size(), $undefined, _depth + 1, message.stateValue);
                                        continue;
                                    }
                                }
                                reader.skipType(wireType, _depth, tag);
                                if (!reader.discardUnknown) {
                                    $util.makeProp(message, "$unknowns", false);
                                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                                }
                            }
                            if (length !== $undefined) {
                                if (reader.pos !== end)
                                    throw $RangeError("index out of range");
                                reader.len = length;
                            }
                            if (_end !== $undefined)
                                throw $Error("missing end group");
                            return message;
                        };

                        return PersistedValue;
                    })();

                    ToFunction.Invocation = (function() {

                        /**
                         * Properties of an Invocation.
                         * @typedef {Object} io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties
                         * @property {io.statefun.sdk.reqreply.Address.$Properties|null} [caller] Invocation caller
                         * @property {io.statefun.sdk.reqreply.TypedValue.$Properties|null} [argument] Invocation argument
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */

                        /**
                         * Properties of an Invocation.
                         * @memberof io.statefun.sdk.reqreply.ToFunction
                         * @interface IInvocation
                         * @augments io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties
                         * @deprecated Use io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties instead.
                         */

                        /**
                         * Shape of an Invocation.
                         * @typedef {io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties} io.statefun.sdk.reqreply.ToFunction.Invocation.$Shape
                         */

                        /**
                         * Constructs a new Invocation.
                         * @memberof io.statefun.sdk.reqreply.ToFunction
                         * @classdesc Represents an Invocation.
                         * @constructor
                         * @param {io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties=} [properties] Properties to set
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */
                        const Invocation = function (properties) {
                            if (properties)
                                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                        this[keys[i]] = properties[keys[i]];
                        };

                        /**
                         * Invocation caller.
                         * @member {io.statefun.sdk.reqreply.Address.$Properties|null|undefined} caller
                         * @memberof io.statefun.sdk.reqreply.ToFunction.Invocation
                         * @instance
                         */
                        Invocation.prototype.caller = null;

                        /**
                         * Invocation argument.
                         * @member {io.statefun.sdk.reqreply.TypedValue.$Properties|null|undefined} argument
                         * @memberof io.statefun.sdk.reqreply.ToFunction.Invocation
                         * @instance
                         */
                        Invocation.prototype.argument = null;

                        /**
                         * Creates a new Invocation instance using the specified properties.
                         * @function create
                         * @memberof io.statefun.sdk.reqreply.ToFunction.Invocation
                         * @static
                         * @param {io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties=} [properties] Properties to set
                         * @returns {io.statefun.sdk.reqreply.ToFunction.Invocation} Invocation instance
                         * @type {{
                         *   (properties: io.statefun.sdk.reqreply.ToFunction.Invocation.$Shape): io.statefun.sdk.reqreply.ToFunction.Invocation & io.statefun.sdk.reqreply.ToFunction.Invocation.$Shape;
                         *   (properties?: io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties): io.statefun.sdk.reqreply.ToFunction.Invocation;
                         * }}
                         */
                        Invocation.create = function(properties) {
                            return new Invocation(properties);
                        };

                        /**
                         * Encodes the specified Invocation message. Does not implicitly {@link io.statefun.sdk.reqreply.ToFunction.Invocation.verify|verify} messages.
                         * @function encode
                         * @memberof io.statefun.sdk.reqreply.ToFunction.Invocation
                         * @static
                         * @param {io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties} message Invocation message or plain object to encode
                         * @param {$protobuf.Writer} [writer] Writer to encode to
                         * @returns {$protobuf.Writer} Writer
                         */
                        Invocation.encode = function (message, writer, _depth) {
                            if (!writer)
                                writer = $Writer.create();
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $util.recursionLimit)
                                throw $Error("max depth exceeded");
                            if (message.caller != null && $Object.hasOwnProperty.call(message, "caller"))
                                $root.io.statefun.sdk.reqreply.Address.encode(message.caller, writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                            if (message.argument != null && $Object.hasOwnProperty.call(message, "argument"))
                                $root.io.statefun.sdk.reqreply.TypedValue.encode(message.argument, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                                for (let i = 0; i < message.$unknowns.length; ++i)
                                    writer.raw(message.$unknowns[i]);
                            return writer;
                        };

                        /**
                         * Decodes an Invocation message from the specified reader or buffer.
                         * @function decode
                         * @memberof io.statefun.sdk.reqreply.ToFunction.Invocation
                         * @static
                         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                         * @param {number} [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.ToFunction.Invocation & io.statefun.sdk.reqreply.ToFunction.Invocation.$Shape} Invocation
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        Invocation.decode = function (reader, length, _end, _depth, _target) {
                            if (!(reader instanceof $Reader))
                                reader = $Reader.create(reader);
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $Reader.recursionLimit)
                                throw $Error("max depth exceeded");
                            let end, message, value;
                            if (length === $undefined)
                                end = reader.len;
                            else {
                                end = reader.pos + length;
                                if (end > reader.len)
                                    throw $RangeError("index out of range");
                                length = reader.len;
                                reader.len = end;
                            }
                            message = _target || new $root.io.statefun.sdk.reqreply.ToFunction.Invocation();
                            while (reader.pos < end) {
                                let start = reader.pos;
                                let tag = reader.tag();
                                if (tag === _end) {
                                    _end = $undefined;
                                    break;
                                }
                                let wireType = tag & 7;
                                switch (tag >>>= 3) {
                                case 1: {
                                        if (wireType !== 2)
                                            break;
                                        message.caller = $root.io.statefun.sdk.reqreply.Address.decode(reader, reader.size(), $undefined, _depth + 1, message.caller);
                                        continue;
                                    }
                                case 2: {
                                        if (wireType !== 2)
                                            break;
                                        message.argument = $root.io.statefun.sdk.reqreply.TypedValue.decode(reader, reader.size(), $undefined, _depth + 1, message.argument);
                                        continue;
                                    }
                                }
                                reader.skipType(wireType, _depth, tag);
                                if (!reader.discardUnknown) {
                                    $util.makeProp(message, "$unknowns", false);
                                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                                }
                            }
                            if (length !== $undefined) {
                                if (reader.pos !== end)
                                    throw $RangeError("index out of range");
                                reader.len = length;
                            }
                            if (_end !== $undefined)
                                throw $Error("missing end group");
                            return message;
                        };

                        return Invocation;
                    })();

                    ToFunction.InvocationBatchRequest = (function() {

                        /**
                         * Properties of an InvocationBatchRequest.
                         * @typedef {Object} io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties
                         * @property {io.statefun.sdk.reqreply.Address.$Properties|null} [target] InvocationBatchRequest target
                         * @property {Array.<io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties>|null} [state] InvocationBatchRequest state
                         * @property {Array.<io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties>|null} [invocations] InvocationBatchRequest invocations
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */

                        /**
                         * Properties of an InvocationBatchRequest.
                         * @memberof io.statefun.sdk.reqreply.ToFunction
                         * @interface IInvocationBatchRequest
                         * @augments io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties
                         * @deprecated Use io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties instead.
                         */

                        /**
                         * Shape of an InvocationBatchRequest.
                         * @typedef {io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties} io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Shape
                         */

                        /**
                         * Constructs a new InvocationBatchRequest.
                         * @memberof io.statefun.sdk.reqreply.ToFunction
                         * @classdesc Represents an InvocationBatchRequest.
                         * @constructor
                         * @param {io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties=} [properties] Properties to set
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */
                        const InvocationBatchRequest = function (properties) {
                            this.state = [];
                            this.invocations = [];
                            if (properties)
                                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                        this[keys[i]] = properties[keys[i]];
                        };

                        /**
                         * InvocationBatchRequest target.
                         * @member {io.statefun.sdk.reqreply.Address.$Properties|null|undefined} target
                         * @memberof io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest
                         * @instance
                         */
                        InvocationBatchRequest.prototype.target = null;

                        /**
                         * InvocationBatchRequest state.
                         * @member {Array.<io.statefun.sdk.reqreply.ToFunction.PersistedValue.$Properties>} state
                         * @memberof io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest
                         * @instance
                         */
                        InvocationBatchRequest.prototype.state = $util.emptyArray;

                        /**
                         * InvocationBatchRequest invocations.
                         * @member {Array.<io.statefun.sdk.reqreply.ToFunction.Invocation.$Properties>} invocations
                         * @memberof io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest
                         * @instance
                         */
                        InvocationBatchRequest.prototype.invocations = $util.emptyArray;

                        /**
                         * Creates a new InvocationBatchRequest instance using the specified properties.
                         * @function create
                         * @memberof io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest
                         * @static
                         * @param {io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties=} [properties] Properties to set
                         * @returns {io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest} InvocationBatchRequest instance
                         * @type {{
                         *   (properties: io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Shape): io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest & io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Shape;
                         *   (properties?: io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties): io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest;
                         * }}
                         */
                        InvocationBatchRequest.create = function(properties) {
                            return new InvocationBatchRequest(properties);
                        };

                        /**
                         * Encodes the specified InvocationBatchRequest message. Does not implicitly {@link io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.verify|verify} messages.
                         * @function encode
                         * @memberof io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest
                         * @static
                         * @param {io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Properties} message InvocationBatchRequest message or plain object to encode
                         * @param {$protobuf.Writer} [writer] Writer to encode to
                         * @returns {$protobuf.Writer} Writer
                         */
                        InvocationBatchRequest.encode = function (message, writer, _depth) {
                            if (!writer)
                                writer = $Writer.create();
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $util.recursionLimit)
                                throw $Error("max depth exceeded");
                            if (message.target != null && $Object.hasOwnProperty.call(message, "target"))
                                $root.io.statefun.sdk.reqreply.Address.encode(message.target, writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                            if (message.state != null && message.state.length)
                                for (let i = 0; i < message.state.length; ++i)
                                    $root.io.statefun.sdk.reqreply.ToFunction.PersistedValue.encode(message.state[i], writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                            if (message.invocations != null && message.invocations.length)
                                for (let i = 0; i < message.invocations.length; ++i)
                                    $root.io.statefun.sdk.reqreply.ToFunction.Invocation.encode(message.invocations[i], writer.uint32(/* id 3, wireType 2 =*/26).fork(), _depth + 1).ldelim();
                            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                                for (let i = 0; i < message.$unknowns.length; ++i)
                                    writer.raw(message.$unknowns[i]);
                            return writer;
                        };

                        /**
                         * Decodes an InvocationBatchRequest message from the specified reader or buffer.
                         * @function decode
                         * @memberof io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest
                         * @static
                         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                         * @param {number} [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest & io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest.$Shape} InvocationBatchRequest
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        InvocationBatchRequest.decode = function (reader, length, _end, _depth, _target) {
                            if (!(reader instanceof $Reader))
                                reader = $Reader.create(reader);
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $Reader.recursionLimit)
                                throw $Error("max depth exceeded");
                            let end, message, value;
                            if (length === $undefined)
                                end = reader.len;
                            else {
                                end = reader.pos + length;
                                if (end > reader.len)
                                    throw $RangeError("index out of range");
                                length = reader.len;
                                reader.len = end;
                            }
                            message = _target || new $root.io.statefun.sdk.reqreply.ToFunction.InvocationBatchRequest();
                            while (reader.pos < end) {
                                let start = reader.pos;
                                let tag = reader.tag();
                                if (tag === _end) {
                                    _end = $undefined;
                                    break;
                                }
                                let wireType = tag & 7;
                                switch (tag >>>= 3) {
                                case 1: {
                                        if (wireType !== 2)
                                            break;
                                        message.target = $root.io.statefun.sdk.reqreply.Address.decode(reader, reader.size(), $undefined, _depth + 1, message.target);
                                        continue;
                                    }
                                case 2: {
                                        if (wireType !== 2)
                                            break;
                                        if (!(message.state && message.state.length))
                                            message.state = [];
                                        message.state.push($root.io.statefun.sdk.reqreply.ToFunction.PersistedValue.decode(reader, reader.size(), $undefined, _depth + 1));
                                        continue;
                                    }
                                case 3: {
                                        if (wireType !== 2)
                                            break;
                                        if (!(message.invocations && message.invocations.length))
                                            message.invocations = [];
                                        message.invocations.push($root.io.statefun.sdk.reqreply.ToFunction.Invocation.decode(reader, reader.size(), $undefined, _depth + 1));
                                        continue;
                                    }
                                }
                                reader.skipType(wireType, _depth, tag);
                                if (!reader.discardUnknown) {
                                    $util.makeProp(message, "$unknowns", false);
                                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                                }
                            }
                            if (length !== $undefined) {
                                if (reader.pos !== end)
                                    throw $RangeError("index out of range");
                                reader.len = length;
                            }
                            if (_end !== $undefined)
                                throw $Error("missing end group");
                            return message;
                        };

                        return InvocationBatchRequest;
                    })();

                    return ToFunction;
                })();

                reqreply.FromFunction = (function() {

                    /**
                     * Properties of a FromFunction.
                     * @typedef {Object} io.statefun.sdk.reqreply.FromFunction.$Properties
                     * @property {io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties|null} [invocationResult] FromFunction invocationResult
                     * @property {io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties|null} [incompleteInvocationContext] FromFunction incompleteInvocationContext
                     * @property {"invocationResult"|"incompleteInvocationContext"} [response] FromFunction response
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */

                    /**
                     * Properties of a FromFunction.
                     * @memberof io.statefun.sdk.reqreply
                     * @interface IFromFunction
                     * @augments io.statefun.sdk.reqreply.FromFunction.$Properties
                     * @deprecated Use io.statefun.sdk.reqreply.FromFunction.$Properties instead.
                     */

                    /**
                     * Narrowed shape of a FromFunction.
                     * @typedef {{
                     *   invocationResult?: io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Shape|null;
                     *   incompleteInvocationContext?: io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Shape|null;
                     *   $unknowns?: Array.<Uint8Array>;
                     * } & (
                     *   ({ response?: undefined; invocationResult?: null; incompleteInvocationContext?: null }|{ response?: "invocationResult"; invocationResult: io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Shape; incompleteInvocationContext?: null }|{ response?: "incompleteInvocationContext"; invocationResult?: null; incompleteInvocationContext: io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Shape })
                     * )} io.statefun.sdk.reqreply.FromFunction.$Shape
                     */

                    /**
                     * Constructs a new FromFunction.
                     * @memberof io.statefun.sdk.reqreply
                     * @classdesc Represents a FromFunction.
                     * @constructor
                     * @param {io.statefun.sdk.reqreply.FromFunction.$Properties=} [properties] Properties to set
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */
                    const FromFunction = function (properties) {
                        if (properties)
                            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                    this[keys[i]] = properties[keys[i]];
                    };

                    /**
                     * FromFunction invocationResult.
                     * @member {io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties|null|undefined} invocationResult
                     * @memberof io.statefun.sdk.reqreply.FromFunction
                     * @instance
                     */
                    FromFunction.prototype.invocationResult = null;

                    /**
                     * FromFunction incompleteInvocationContext.
                     * @member {io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties|null|undefined} incompleteInvocationContext
                     * @memberof io.statefun.sdk.reqreply.FromFunction
                     * @instance
                     */
                    FromFunction.prototype.incompleteInvocationContext = null;

                    // OneOf field names bound to virtual getters and setters
                    let $oneOfFields;

                    /**
                     * FromFunction response.
                     * @member {"invocationResult"|"incompleteInvocationContext"|undefined} response
                     * @memberof io.statefun.sdk.reqreply.FromFunction
                     * @instance
                     */
                    $Object.defineProperty(FromFunction.prototype, "response", {
                        get: $util.oneOfGetter($oneOfFields = ["invocationResult", "incompleteInvocationContext"]),
                        set: $util.oneOfSetter($oneOfFields)
                    });

                    /**
                     * Creates a new FromFunction instance using the specified properties.
                     * @function create
                     * @memberof io.statefun.sdk.reqreply.FromFunction
                     * @static
                     * @param {io.statefun.sdk.reqreply.FromFunction.$Properties=} [properties] Properties to set
                     * @returns {io.statefun.sdk.reqreply.FromFunction} FromFunction instance
                     * @type {{
                     *   (properties: io.statefun.sdk.reqreply.FromFunction.$Shape): io.statefun.sdk.reqreply.FromFunction & io.statefun.sdk.reqreply.FromFunction.$Shape;
                     *   (properties?: io.statefun.sdk.reqreply.FromFunction.$Properties): io.statefun.sdk.reqreply.FromFunction;
                     * }}
                     */
                    FromFunction.create = function(properties) {
                        return new FromFunction(properties);
                    };

                    /**
                     * Encodes the specified FromFunction message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.verify|verify} messages.
                     * @function encode
                     * @memberof io.statefun.sdk.reqreply.FromFunction
                     * @static
                     * @param {io.statefun.sdk.reqreply.FromFunction.$Properties} message FromFunction message or plain object to encode
                     * @param {$protobuf.Writer} [writer] Writer to encode to
                     * @returns {$protobuf.Writer} Writer
                     */
                    FromFunction.encode = function (message, writer, _depth) {
                        if (!writer)
                            writer = $Writer.create();
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $util.recursionLimit)
                            throw $Error("max depth exceeded");
                        if (message.invocationResult != null && $Object.hasOwnProperty.call(message, "invocationResult"))
                            $root.io.statefun.sdk.reqreply.FromFunction.InvocationResponse.encode(message.invocationResult, writer.uint32(/* id 100, wireType 2 =*/802).fork(), _depth + 1).ldelim();
                        if (message.incompleteInvocationContext != null && $Object.hasOwnProperty.call(message, "incompleteInvocationContext"))
                            $root.io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.encode(message.incompleteInvocationContext, writer.uint32(/* id 101, wireType 2 =*/810).fork(), _depth + 1).ldelim();
                        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                            for (let i = 0; i < message.$unknowns.length; ++i)
                                writer.raw(message.$unknowns[i]);
                        return writer;
                    };

                    /**
                     * Decodes a FromFunction message from the specified reader or buffer.
                     * @function decode
                     * @memberof io.statefun.sdk.reqreply.FromFunction
                     * @static
                     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                     * @param {number} [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.reqreply.FromFunction & io.statefun.sdk.reqreply.FromFunction.$Shape} FromFunction
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    FromFunction.decode = function (reader, length, _end, _depth, _target) {
                        if (!(reader instanceof $Reader))
                            reader = $Reader.create(reader);
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $Reader.recursionLimit)
                            throw $Error("max depth exceeded");
                        let end, message;
                        if (length === $undefined)
                            end = reader.len;
                        else {
                            end = reader.pos + length;
                            if (end > reader.len)
                                throw $RangeError("index out of range");
                            length = reader.len;
                            reader.len = end;
                        }
                        message = _target || new $root.io.statefun.sdk.reqreply.FromFunction();
                        while (reader.pos < end) {
                            let start = reader.pos;
                            let tag = reader.tag();
                            if (tag === _end) {
                                _end = $undefined;
                                break;
                            }
                            let wireType = tag & 7;
                            switch (tag >>>= 3) {
                            case 100: {
                                    if (wireType !== 2)
                                        break;
                                    message.invocationResult = $root.io.statefun.sdk.reqreply.FromFunction.InvocationResponse.decode(reader, reader.size(), $undefined, _depth + 1, message.invocationResult);
                                    message.response = "invocationResult";
                                    continue;
                                }
                            case 101: {
                                    if (wireType !== 2)
                                        break;
                                    message.incompleteInvocationContext = $root.io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.decode(reader, reader.size(), $undefined, _depth + 1, message.incompleteInvocationContext);
                                    message.response = "incompleteInvocationContext";
                                    continue;
                                }
                            }
                            reader.skipType(wireType, _depth, tag);
                            if (!reader.discardUnknown) {
                                $util.makeProp(message, "$unknowns", false);
                                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                            }
                        }
                        if (length !== $undefined) {
                            if (reader.pos !== end)
                                throw $RangeError("index out of range");
                            reader.len = length;
                        }
                        if (_end !== $undefined)
                            throw $Error("missing end group");
                        return message;
                    };

                    FromFunction.PersistedValueMutation = (function() {

                        /**
                         * Properties of a PersistedValueMutation.
                         * @typedef {Object} io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties
                         * @property {io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.MutationType|null} [mutationType] PersistedValueMutation mutationType
                         * @property {string|null} [stateName] PersistedValueMutation stateName
                         * @property {io.statefun.sdk.reqreply.TypedValue.$Properties|null} [stateValue] PersistedValueMutation stateValue
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */

                        /**
                         * Properties of a PersistedValueMutation.
                         * @memberof io.statefun.sdk.reqreply.FromFunction
                         * @interface IPersistedValueMutation
                         * @augments io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties
                         * @deprecated Use io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties instead.
                         */

                        /**
                         * Shape of a PersistedValueMutation.
                         * @typedef {io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties} io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Shape
                         */

                        /**
                         * Constructs a new PersistedValueMutation.
                         * @memberof io.statefun.sdk.reqreply.FromFunction
                         * @classdesc Represents a PersistedValueMutation.
                         * @constructor
                         * @param {io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties=} [properties] Properties to set
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */
                        const PersistedValueMutation = function (properties) {
                            if (properties)
                                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                        this[keys[i]] = properties[keys[i]];
                        };

                        /**
                         * PersistedValueMutation mutationType.
                         * @member {io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.MutationType} mutationType
                         * @memberof io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation
                         * @instance
                         */
                        PersistedValueMutation.prototype.mutationType = 0;

                        /**
                         * PersistedValueMutation stateName.
                         * @member {string} stateName
                         * @memberof io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation
                         * @instance
                         */
                        PersistedValueMutation.prototype.stateName = "";

                        /**
                         * PersistedValueMutation stateValue.
                         * @member {io.statefun.sdk.reqreply.TypedValue.$Properties|null|undefined} stateValue
                         * @memberof io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation
                         * @instance
                         */
                        PersistedValueMutation.prototype.stateValue = null;

                        /**
                         * Creates a new PersistedValueMutation instance using the specified properties.
                         * @function create
                         * @memberof io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation
                         * @static
                         * @param {io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties=} [properties] Properties to set
                         * @returns {io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation} PersistedValueMutation instance
                         * @type {{
                         *   (properties: io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Shape): io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation & io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Shape;
                         *   (properties?: io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties): io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation;
                         * }}
                         */
                        PersistedValueMutation.create = function(properties) {
                            return new PersistedValueMutation(properties);
                        };

                        /**
                         * Encodes the specified PersistedValueMutation message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.verify|verify} messages.
                         * @function encode
                         * @memberof io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation
                         * @static
                         * @param {io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties} message PersistedValueMutation message or plain object to encode
                         * @param {$protobuf.Writer} [writer] Writer to encode to
                         * @returns {$protobuf.Writer} Writer
                         */
                        PersistedValueMutation.encode = function (message, writer, _depth) {
                            if (!writer)
                                writer = $Writer.create();
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $util.recursionLimit)
                                throw $Error("max depth exceeded");
                            if (message.mutationType != null && $Object.hasOwnProperty.call(message, "mutationType") && message.mutationType !== 0)
                                writer.uint32(/* id 1, wireType 0 =*/8).int32(message.mutationType);
                            if (message.stateName != null && $Object.hasOwnProperty.call(message, "stateName") && message.stateName !== "")
                                writer.uint32(/* id 2, wireType 2 =*/18).string(message.stateName);
                            if (message.stateValue != null && $Object.hasOwnProperty.call(message, "stateValue"))
                                $root.io.statefun.sdk.reqreply.TypedValue.encode(message.stateValue, writer.uint32(/* id 3, wireType 2 =*/26).fork(), _depth + 1).ldelim();
                            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                                for (let i = 0; i < message.$unknowns.length; ++i)
                                    writer.raw(message.$unknowns[i]);
                            return writer;
                        };

                        /**
                         * Decodes a PersistedValueMutation message from the specified reader or buffer.
                         * @function decode
                         * @memberof io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation
                         * @static
                         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                         * @param {number} [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation & io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Shape} PersistedValueMutation
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        PersistedValueMutation.decode = function (reader, length, _end, _depth, _target) {
                            if (!(reader instanceof $Reader))
                                reader = $Reader.create(reader);
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $Reader.recursionLimit)
                                throw $Error("max depth exceeded");
                            let end, message, value;
                            if (length === $undefined)
                                end = reader.len;
                            else {
                                end = reader.pos + length;
                                if (end > reader.len)
                                    throw $RangeError("index out of range");
                                length = reader.len;
                                reader.len = end;
                            }
                            message = _target || new $root.io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation();
                            while (reader.pos < end) {
                                let start = reader.pos;
                                let tag = reader.tag();
                                if (tag === _end) {
                                    _end = $undefined;
                                    break;
                                }
                                let wireType = tag & 7;
                                switch (tag >>>= 3) {
                                case 1: {
                                        if (wireType !== 0)
                                            break;
                                        if (value = reader.int32())
                                            message.mutationType = value;
                                        else
                                            delete message.mutationType;
                                        continue;
                                    }
                                case 2: {
                                        if (wireType !== 2)
                                            break;
                                        if ((value = reader.stringVerify()).length)
                                            message.stateName = value;
                                        else
                                            delete message.stateName;
                                        continue;
                                    }
                                case 3: {
                                        if (wireType !== 2)
                                            break;
                                        message.stateValue = $root.io.statefun.sdk.reqreply.TypedValue.decode(reader, reader.size(), $undefined, _depth + 1, message.stateValue);
                                        continue;
                                    }
                                }
                                reader.skipType(wireType, _depth, tag);
                                if (!reader.discardUnknown) {
                                    $util.makeProp(message, "$unknowns", false);
                                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                                }
                            }
                            if (length !== $undefined) {
                                if (reader.pos !== end)
                                    throw $RangeError("index out of range");
                                reader.len = length;
                            }
                            if (_end !== $undefined)
                                throw $Error("missing end group");
                            return message;
                        };

                        /**
                         * MutationType enum.
                         * @name io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.MutationType
                         * @enum {number}
                         * @property {number} DELETE=0 DELETE value
                         * @property {number} MODIFY=1 MODIFY value
                         */
                        PersistedValueMutation.MutationType = (function() {
                            const valuesById = $Object.create(null), values = $Object.create(valuesById);
                            values[valuesById[0] = "DELETE"] = 0;
                            values[valuesById[1] = "MODIFY"] = 1;
                            return values;
                        })();

                        return PersistedValueMutation;
                    })();

                    FromFunction.Invocation = (function() {

                        /**
                         * Properties of an Invocation.
                         * @typedef {Object} io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties
                         * @property {io.statefun.sdk.reqreply.Address.$Properties|null} [target] Invocation target
                         * @property {io.statefun.sdk.reqreply.TypedValue.$Properties|null} [argument] Invocation argument
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */

                        /**
                         * Properties of an Invocation.
                         * @memberof io.statefun.sdk.reqreply.FromFunction
                         * @interface IInvocation
                         * @augments io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties
                         * @deprecated Use io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties instead.
                         */

                        /**
                         * Shape of an Invocation.
                         * @typedef {io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties} io.statefun.sdk.reqreply.FromFunction.Invocation.$Shape
                         */

                        /**
                         * Constructs a new Invocation.
                         * @memberof io.statefun.sdk.reqreply.FromFunction
                         * @classdesc Represents an Invocation.
                         * @constructor
                         * @param {io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties=} [properties] Properties to set
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */
                        const Invocation = function (properties) {
                            if (properties)
                                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                        this[keys[i]] = properties[keys[i]];
                        };

                        /**
                         * Invocation target.
                         * @member {io.statefun.sdk.reqreply.Address.$Properties|null|undefined} target
                         * @memberof io.statefun.sdk.reqreply.FromFunction.Invocation
                         * @instance
                         */
                        Invocation.prototype.target = null;

                        /**
                         * Invocation argument.
                         * @member {io.statefun.sdk.reqreply.TypedValue.$Properties|null|undefined} argument
                         * @memberof io.statefun.sdk.reqreply.FromFunction.Invocation
                         * @instance
                         */
                        Invocation.prototype.argument = null;

                        /**
                         * Creates a new Invocation instance using the specified properties.
                         * @function create
                         * @memberof io.statefun.sdk.reqreply.FromFunction.Invocation
                         * @static
                         * @param {io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties=} [properties] Properties to set
                         * @returns {io.statefun.sdk.reqreply.FromFunction.Invocation} Invocation instance
                         * @type {{
                         *   (properties: io.statefun.sdk.reqreply.FromFunction.Invocation.$Shape): io.statefun.sdk.reqreply.FromFunction.Invocation & io.statefun.sdk.reqreply.FromFunction.Invocation.$Shape;
                         *   (properties?: io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties): io.statefun.sdk.reqreply.FromFunction.Invocation;
                         * }}
                         */
                        Invocation.create = function(properties) {
                            return new Invocation(properties);
                        };

                        /**
                         * Encodes the specified Invocation message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.Invocation.verify|verify} messages.
                         * @function encode
                         * @memberof io.statefun.sdk.reqreply.FromFunction.Invocation
                         * @static
                         * @param {io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties} message Invocation message or plain object to encode
                         * @param {$protobuf.Writer} [writer] Writer to encode to
                         * @returns {$protobuf.Writer} Writer
                         */
                        Invocation.encode = function (message, writer, _depth) {
                            if (!writer)
                                writer = $Writer.create();
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $util.recursionLimit)
                                throw $Error("max depth exceeded");
                            if (message.target != null && $Object.hasOwnProperty.call(message, "target"))
                                $root.io.statefun.sdk.reqreply.Address.encode(message.target, writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                            if (message.argument != null && $Object.hasOwnProperty.call(message, "argument"))
                                $root.io.statefun.sdk.reqreply.TypedValue.encode(message.argument, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                                for (let i = 0; i < message.$unknowns.length; ++i)
                                    writer.raw(message.$unknowns[i]);
                            return writer;
                        };

                        /**
                         * Decodes an Invocation message from the specified reader or buffer.
                         * @function decode
                         * @memberof io.statefun.sdk.reqreply.FromFunction.Invocation
                         * @static
                         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                         * @param {number} [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.FromFunction.Invocation & io.statefun.sdk.reqreply.FromFunction.Invocation.$Shape} Invocation
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        Invocation.decode = function (reader, length, _end, _depth, _target) {
                            if (!(reader instanceof $Reader))
                                reader = $Reader.create(reader);
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $Reader.recursionLimit)
                                throw $Error("max depth exceeded");
                            let end, message, value;
                            if (length === $undefined)
                                end = reader.len;
                            else {
                                end = reader.pos + length;
                                if (end > reader.len)
                                    throw $RangeError("index out of range");
                                length = reader.len;
                                reader.len = end;
                            }
                            message = _target || new $root.io.statefun.sdk.reqreply.FromFunction.Invocation();
                            while (reader.pos < end) {
                                let start = reader.pos;
                                let tag = reader.tag();
                                if (tag === _end) {
                                    _end = $undefined;
                                    break;
                                }
                                let wireType = tag & 7;
                                switch (tag >>>= 3) {
                                case 1: {
                                        if (wireType !== 2)
                                            break;
                                        message.target = $root.io.statefun.sdk.reqreply.Address.decode(reader, reader.size(), $undefined, _depth + 1, message.target);
                                        continue;
                                    }
                                case 2: {
                                        if (wireType !== 2)
                                            break;
                                        message.argument = $root.io.statefun.sdk.reqreply.TypedValue.decode(reader, reader.size(), $undefined, _depth + 1, message.argument);
                                        continue;
                                    }
                                }
                                reader.skipType(wireType, _depth, tag);
                                if (!reader.discardUnknown) {
                                    $util.makeProp(message, "$unknowns", false);
                                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                                }
                            }
                            if (length !== $undefined) {
                                if (reader.pos !== end)
                                    throw $RangeError("index out of range");
                                reader.len = length;
                            }
                            if (_end !== $undefined)
                                throw $Error("missing end group");
                            return message;
                        };

                        return Invocation;
                    })();

                    FromFunction.DelayedInvocation = (function() {

                        /**
                         * Properties of a DelayedInvocation.
                         * @typedef {Object} io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties
                         * @property {boolean|null} [isCancellationRequest] DelayedInvocation isCancellationRequest
                         * @property {string|null} [cancellationToken] DelayedInvocation cancellationToken
                         * @property {number|null} [delayInMs] DelayedInvocation delayInMs
                         * @property {io.statefun.sdk.reqreply.Address.$Properties|null} [target] DelayedInvocation target
                         * @property {io.statefun.sdk.reqreply.TypedValue.$Properties|null} [argument] DelayedInvocation argument
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */

                        /**
                         * Properties of a DelayedInvocation.
                         * @memberof io.statefun.sdk.reqreply.FromFunction
                         * @interface IDelayedInvocation
                         * @augments io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties
                         * @deprecated Use io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties instead.
                         */

                        /**
                         * Shape of a DelayedInvocation.
                         * @typedef {io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties} io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Shape
                         */

                        /**
                         * Constructs a new DelayedInvocation.
                         * @memberof io.statefun.sdk.reqreply.FromFunction
                         * @classdesc Represents a DelayedInvocation.
                         * @constructor
                         * @param {io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties=} [properties] Properties to set
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */
                        const DelayedInvocation = function (properties) {
                            if (properties)
                                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                        this[keys[i]] = properties[keys[i]];
                        };

                        /**
                         * DelayedInvocation isCancellationRequest.
                         * @member {boolean} isCancellationRequest
                         * @memberof io.statefun.sdk.reqreply.FromFunction.DelayedInvocation
                         * @instance
                         */
                        DelayedInvocation.prototype.isCancellationRequest = false;

                        /**
                         * DelayedInvocation cancellationToken.
                         * @member {string} cancellationToken
                         * @memberof io.statefun.sdk.reqreply.FromFunction.DelayedInvocation
                         * @instance
                         */
                        DelayedInvocation.prototype.cancellationToken = "";

                        /**
                         * DelayedInvocation delayInMs.
                         * @member {number} delayInMs
                         * @memberof io.statefun.sdk.reqreply.FromFunction.DelayedInvocation
                         * @instance
                         */
                        DelayedInvocation.prototype.delayInMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

                        /**
                         * DelayedInvocation target.
                         * @member {io.statefun.sdk.reqreply.Address.$Properties|null|undefined} target
                         * @memberof io.statefun.sdk.reqreply.FromFunction.DelayedInvocation
                         * @instance
                         */
                        DelayedInvocation.prototype.target = null;

                        /**
                         * DelayedInvocation argument.
                         * @member {io.statefun.sdk.reqreply.TypedValue.$Properties|null|undefined} argument
                         * @memberof io.statefun.sdk.reqreply.FromFunction.DelayedInvocation
                         * @instance
                         */
                        DelayedInvocation.prototype.argument = null;

                        /**
                         * Creates a new DelayedInvocation instance using the specified properties.
                         * @function create
                         * @memberof io.statefun.sdk.reqreply.FromFunction.DelayedInvocation
                         * @static
                         * @param {io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties=} [properties] Properties to set
                         * @returns {io.statefun.sdk.reqreply.FromFunction.DelayedInvocation} DelayedInvocation instance
                         * @type {{
                         *   (properties: io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Shape): io.statefun.sdk.reqreply.FromFunction.DelayedInvocation & io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Shape;
                         *   (properties?: io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties): io.statefun.sdk.reqreply.FromFunction.DelayedInvocation;
                         * }}
                         */
                        DelayedInvocation.create = function(properties) {
                            return new DelayedInvocation(properties);
                        };

                        /**
                         * Encodes the specified DelayedInvocation message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.verify|verify} messages.
                         * @function encode
                         * @memberof io.statefun.sdk.reqreply.FromFunction.DelayedInvocation
                         * @static
                         * @param {io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties} message DelayedInvocation message or plain object to encode
                         * @param {$protobuf.Writer} [writer] Writer to encode to
                         * @returns {$protobuf.Writer} Writer
                         */
                        DelayedInvocation.encode = function (message, writer, _depth) {
                            if (!writer)
                                writer = $Writer.create();
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $util.recursionLimit)
                                throw $Error("max depth exceeded");
                            if (message.delayInMs != null && $Object.hasOwnProperty.call(message, "delayInMs") && (typeof message.delayInMs === "object" ? message.delayInMs.low || message.delayInMs.high : message.delayInMs !== 0))
                                writer.uint32(/* id 1, wireType 0 =*/8).int64(message.delayInMs);
                            if (message.target != null && $Object.hasOwnProperty.call(message, "target"))
                                $root.io.statefun.sdk.reqreply.Address.encode(message.target, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                            if (message.argument != null && $Object.hasOwnProperty.call(message, "argument"))
                                $root.io.statefun.sdk.reqreply.TypedValue.encode(message.argument, writer.uint32(/* id 3, wireType 2 =*/26).fork(), _depth + 1).ldelim();
                            if (message.isCancellationRequest != null && $Object.hasOwnProperty.call(message, "isCancellationRequest") && message.isCancellationRequest !== false)
                                writer.uint32(/* id 10, wireType 0 =*/80).bool(message.isCancellationRequest);
                            if (message.cancellationToken != null && $Object.hasOwnProperty.call(message, "cancellationToken") && message.cancellationToken !== "")
                                writer.uint32(/* id 11, wireType 2 =*/90).string(message.cancellationToken);
                            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                                for (let i = 0; i < message.$unknowns.length; ++i)
                                    writer.raw(message.$unknowns[i]);
                            return writer;
                        };

                        /**
                         * Decodes a DelayedInvocation message from the specified reader or buffer.
                         * @function decode
                         * @memberof io.statefun.sdk.reqreply.FromFunction.DelayedInvocation
                         * @static
                         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                         * @param {number} [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.FromFunction.DelayedInvocation & io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Shape} DelayedInvocation
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        DelayedInvocation.decode = function (reader, length, _end, _depth, _target) {
                            if (!(reader instanceof $Reader))
                                reader = $Reader.create(reader);
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $Reader.recursionLimit)
                                throw $Error("max depth exceeded");
                            let end, message, value;
                            if (length === $undefined)
                                end = reader.len;
                            else {
                                end = reader.pos + length;
                                if (end > reader.len)
                                    throw $RangeError("index out of range");
                                length = reader.len;
                                reader.len = end;
                            }
                            message = _target || new $root.io.statefun.sdk.reqreply.FromFunction.DelayedInvocation();
                            while (reader.pos < end) {
                                let start = reader.pos;
                                let tag = reader.tag();
                                if (tag === _end) {
                                    _end = $undefined;
                                    break;
                                }
                                let wireType = tag & 7;
                                switch (tag >>>= 3) {
                                case 10: {
                                        if (wireType !== 0)
                                            break;
                                        if (value = reader.bool())
                                            message.isCancellationRequest = value;
                                        else
                                            delete message.isCancellationRequest;
                                        continue;
                                    }
                                case 11: {
                                        if (wireType !== 2)
                                            break;
                                        if ((value = reader.stringVerify()).length)
                                            message.cancellationToken = value;
                                        else
                                            delete message.cancellationToken;
                                        continue;
                                    }
                                case 1: {
                                        if (wireType !== 0)
                                            break;
                                        if (typeof (value = reader.int64()) === "object" ? value.low || value.high : value !== 0)
                                            message.delayInMs = value;
                                        else
                                            delete message.delayInMs;
                                        continue;
                                    }
                                case 2: {
                                        if (wireType !== 2)
                                            break;
                                        message.target = $root.io.statefun.sdk.reqreply.Address.decode(reader, reader.size(), $undefined, _depth + 1, message.target);
                                        continue;
                                    }
                                case 3: {
                                        if (wireType !== 2)
                                            break;
                                        message.argument = $root.io.statefun.sdk.reqreply.TypedValue.decode(reader, reader.size(), $undefined, _depth + 1, message.argument);
                                        continue;
                                    }
                                }
                                reader.skipType(wireType, _depth, tag);
                                if (!reader.discardUnknown) {
                                    $util.makeProp(message, "$unknowns", false);
                                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                                }
                            }
                            if (length !== $undefined) {
                                if (reader.pos !== end)
                                    throw $RangeError("index out of range");
                                reader.len = length;
                            }
                            if (_end !== $undefined)
                                throw $Error("missing end group");
                            return message;
                        };

                        return DelayedInvocation;
                    })();

                    FromFunction.EgressMessage = (function() {

                        /**
                         * Properties of an EgressMessage.
                         * @typedef {Object} io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties
                         * @property {string|null} [egressNamespace] EgressMessage egressNamespace
                         * @property {string|null} [egressType] EgressMessage egressType
                         * @property {io.statefun.sdk.reqreply.TypedValue.$Properties|null} [argument] EgressMessage argument
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */

                        /**
                         * Properties of an EgressMessage.
                         * @memberof io.statefun.sdk.reqreply.FromFunction
                         * @interface IEgressMessage
                         * @augments io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties
                         * @deprecated Use io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties instead.
                         */

                        /**
                         * Shape of an EgressMessage.
                         * @typedef {io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties} io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Shape
                         */

                        /**
                         * Constructs a new EgressMessage.
                         * @memberof io.statefun.sdk.reqreply.FromFunction
                         * @classdesc Represents an EgressMessage.
                         * @constructor
                         * @param {io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties=} [properties] Properties to set
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */
                        const EgressMessage = function (properties) {
                            if (properties)
                                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                        this[keys[i]] = properties[keys[i]];
                        };

                        /**
                         * EgressMessage egressNamespace.
                         * @member {string} egressNamespace
                         * @memberof io.statefun.sdk.reqreply.FromFunction.EgressMessage
                         * @instance
                         */
                        EgressMessage.prototype.egressNamespace = "";

                        /**
                         * EgressMessage egressType.
                         * @member {string} egressType
                         * @memberof io.statefun.sdk.reqreply.FromFunction.EgressMessage
                         * @instance
                         */
                        EgressMessage.prototype.egressType = "";

                        /**
                         * EgressMessage argument.
                         * @member {io.statefun.sdk.reqreply.TypedValue.$Properties|null|undefined} argument
                         * @memberof io.statefun.sdk.reqreply.FromFunction.EgressMessage
                         * @instance
                         */
                        EgressMessage.prototype.argument = null;

                        /**
                         * Creates a new EgressMessage instance using the specified properties.
                         * @function create
                         * @memberof io.statefun.sdk.reqreply.FromFunction.EgressMessage
                         * @static
                         * @param {io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties=} [properties] Properties to set
                         * @returns {io.statefun.sdk.reqreply.FromFunction.EgressMessage} EgressMessage instance
                         * @type {{
                         *   (properties: io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Shape): io.statefun.sdk.reqreply.FromFunction.EgressMessage & io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Shape;
                         *   (properties?: io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties): io.statefun.sdk.reqreply.FromFunction.EgressMessage;
                         * }}
                         */
                        EgressMessage.create = function(properties) {
                            return new EgressMessage(properties);
                        };

                        /**
                         * Encodes the specified EgressMessage message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.EgressMessage.verify|verify} messages.
                         * @function encode
                         * @memberof io.statefun.sdk.reqreply.FromFunction.EgressMessage
                         * @static
                         * @param {io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties} message EgressMessage message or plain object to encode
                         * @param {$protobuf.Writer} [writer] Writer to encode to
                         * @returns {$protobuf.Writer} Writer
                         */
                        EgressMessage.encode = function (message, writer, _depth) {
                            if (!writer)
                                writer = $Writer.create();
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $util.recursionLimit)
                                throw $Error("max depth exceeded");
                            if (message.egressNamespace != null && $Object.hasOwnProperty.call(message, "egressNamespace") && message.egressNamespace !== "")
                                writer.uint32(/* id 1, wireType 2 =*/10).string(message.egressNamespace);
                            if (message.egressType != null && $Object.hasOwnProperty.call(message, "egressType") && message.egressType !== "")
                                writer.uint32(/* id 2, wireType 2 =*/18).string(message.egressType);
                            if (message.argument != null && $Object.hasOwnProperty.call(message, "argument"))
                                $root.io.statefun.sdk.reqreply.TypedValue.encode(message.argument, writer.uint32(/* id 3, wireType 2 =*/26).fork(), _depth + 1).ldelim();
                            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                                for (let i = 0; i < message.$unknowns.length; ++i)
                                    writer.raw(message.$unknowns[i]);
                            return writer;
                        };

                        /**
                         * Decodes an EgressMessage message from the specified reader or buffer.
                         * @function decode
                         * @memberof io.statefun.sdk.reqreply.FromFunction.EgressMessage
                         * @static
                         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                         * @param {number} [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.FromFunction.EgressMessage & io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Shape} EgressMessage
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        EgressMessage.decode = function (reader, length, _end, _depth, _target) {
                            if (!(reader instanceof $Reader))
                                reader = $Reader.create(reader);
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $Reader.recursionLimit)
                                throw $Error("max depth exceeded");
                            let end, message, value;
                            if (length === $undefined)
                                end = reader.len;
                            else {
                                end = reader.pos + length;
                                if (end > reader.len)
                                    throw $RangeError("index out of range");
                                length = reader.len;
                                reader.len = end;
                            }
                            message = _target || new $root.io.statefun.sdk.reqreply.FromFunction.EgressMessage();
                            while (reader.pos < end) {
                                let start = reader.pos;
                                let tag = reader.tag();
                                if (tag === _end) {
                                    _end = $undefined;
                                    break;
                                }
                                let wireType = tag & 7;
                                switch (tag >>>= 3) {
                                case 1: {
                                        if (wireType !== 2)
                                            break;
                                        if ((value = reader.stringVerify()).length)
                                            message.egressNamespace = value;
                                        else
                                            delete message.egressNamespace;
                                        continue;
                                    }
                                case 2: {
                                        if (wireType !== 2)
                                            break;
                                        if ((value = reader.stringVerify()).length)
                                            message.egressType = value;
                                        else
                                            delete message.egressType;
                                        continue;
                                    }
                                case 3: {
                                        if (wireType !== 2)
                                            break;
                                        message.argument = $root.io.statefun.sdk.reqreply.TypedValue.decode(reader, reader.size(), $undefined, _depth + 1, message.argument);
                                        continue;
                                    }
                                }
                                reader.skipType(wireType, _depth, tag);
                                if (!reader.discardUnknown) {
                                    $util.makeProp(message, "$unknowns", false);
                                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                                }
                            }
                            if (length !== $undefined) {
                                if (reader.pos !== end)
                                    throw $RangeError("index out of range");
                                reader.len = length;
                            }
                            if (_end !== $undefined)
                                throw $Error("missing end group");
                            return message;
                        };

                        return EgressMessage;
                    })();

                    FromFunction.InvocationResponse = (function() {

                        /**
                         * Properties of an InvocationResponse.
                         * @typedef {Object} io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties
                         * @property {Array.<io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties>|null} [stateMutations] InvocationResponse stateMutations
                         * @property {Array.<io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties>|null} [outgoingMessages] InvocationResponse outgoingMessages
                         * @property {Array.<io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties>|null} [delayedInvocations] InvocationResponse delayedInvocations
                         * @property {Array.<io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties>|null} [outgoingEgresses] InvocationResponse outgoingEgresses
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */

                        /**
                         * Properties of an InvocationResponse.
                         * @memberof io.statefun.sdk.reqreply.FromFunction
                         * @interface IInvocationResponse
                         * @augments io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties
                         * @deprecated Use io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties instead.
                         */

                        /**
                         * Shape of an InvocationResponse.
                         * @typedef {io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties} io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Shape
                         */

                        /**
                         * Constructs a new InvocationResponse.
                         * @memberof io.statefun.sdk.reqreply.FromFunction
                         * @classdesc Represents an InvocationResponse.
                         * @constructor
                         * @param {io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties=} [properties] Properties to set
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */
                        const InvocationResponse = function (properties) {
                            this.stateMutations = [];
                            this.outgoingMessages = [];
                            this.delayedInvocations = [];
                            this.outgoingEgresses = [];
                            if (properties)
                                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                        this[keys[i]] = properties[keys[i]];
                        };

                        /**
                         * InvocationResponse stateMutations.
                         * @member {Array.<io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.$Properties>} stateMutations
                         * @memberof io.statefun.sdk.reqreply.FromFunction.InvocationResponse
                         * @instance
                         */
                        InvocationResponse.prototype.stateMutations = $util.emptyArray;

                        /**
                         * InvocationResponse outgoingMessages.
                         * @member {Array.<io.statefun.sdk.reqreply.FromFunction.Invocation.$Properties>} outgoingMessages
                         * @memberof io.statefun.sdk.reqreply.FromFunction.InvocationResponse
                         * @instance
                         */
                        InvocationResponse.prototype.outgoingMessages = $util.emptyArray;

                        /**
                         * InvocationResponse delayedInvocations.
                         * @member {Array.<io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.$Properties>} delayedInvocations
                         * @memberof io.statefun.sdk.reqreply.FromFunction.InvocationResponse
                         * @instance
                         */
                        InvocationResponse.prototype.delayedInvocations = $util.emptyArray;

                        /**
                         * InvocationResponse outgoingEgresses.
                         * @member {Array.<io.statefun.sdk.reqreply.FromFunction.EgressMessage.$Properties>} outgoingEgresses
                         * @memberof io.statefun.sdk.reqreply.FromFunction.InvocationResponse
                         * @instance
                         */
                        InvocationResponse.prototype.outgoingEgresses = $util.emptyArray;

                        /**
                         * Creates a new InvocationResponse instance using the specified properties.
                         * @function create
                         * @memberof io.statefun.sdk.reqreply.FromFunction.InvocationResponse
                         * @static
                         * @param {io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties=} [properties] Properties to set
                         * @returns {io.statefun.sdk.reqreply.FromFunction.InvocationResponse} InvocationResponse instance
                         * @type {{
                         *   (properties: io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Shape): io.statefun.sdk.reqreply.FromFunction.InvocationResponse & io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Shape;
                         *   (properties?: io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties): io.statefun.sdk.reqreply.FromFunction.InvocationResponse;
                         * }}
                         */
                        InvocationResponse.create = function(properties) {
                            return new InvocationResponse(properties);
                        };

                        /**
                         * Encodes the specified InvocationResponse message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.InvocationResponse.verify|verify} messages.
                         * @function encode
                         * @memberof io.statefun.sdk.reqreply.FromFunction.InvocationResponse
                         * @static
                         * @param {io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Properties} message InvocationResponse message or plain object to encode
                         * @param {$protobuf.Writer} [writer] Writer to encode to
                         * @returns {$protobuf.Writer} Writer
                         */
                        InvocationResponse.encode = function (message, writer, _depth) {
                            if (!writer)
                                writer = $Writer.create();
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $util.recursionLimit)
                                throw $Error("max depth exceeded");
                            if (message.stateMutations != null && message.stateMutations.length)
                                for (let i = 0; i < message.stateMutations.length; ++i)
                                    $root.io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.encode(message.stateMutations[i], writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                            if (message.outgoingMessages != null && message.outgoingMessages.length)
                                for (let i = 0; i < message.outgoingMessages.length; ++i)
                                    $root.io.statefun.sdk.reqreply.FromFunction.Invocation.encode(message.outgoingMessages[i], writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                            if (message.delayedInvocations != null && message.delayedInvocations.length)
                                for (let i = 0; i < message.delayedInvocations.length; ++i)
                                    $root.io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.encode(message.delayedInvocations[i], writer.uint32(/* id 3, wireType 2 =*/26).fork(), _depth + 1).ldelim();
                            if (message.outgoingEgresses != null && message.outgoingEgresses.length)
                                for (let i = 0; i < message.outgoingEgresses.length; ++i)
                                    $root.io.statefun.sdk.reqreply.FromFunction.EgressMessage.encode(message.outgoingEgresses[i], writer.uint32(/* id 4, wireType 2 =*/34).fork(), _depth + 1).ldelim();
                            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                                for (let i = 0; i < message.$unknowns.length; ++i)
                                    writer.raw(message.$unknowns[i]);
                            return writer;
                        };

                        /**
                         * Decodes an InvocationResponse message from the specified reader or buffer.
                         * @function decode
                         * @memberof io.statefun.sdk.reqreply.FromFunction.InvocationResponse
                         * @static
                         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                         * @param {number} [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.FromFunction.InvocationResponse & io.statefun.sdk.reqreply.FromFunction.InvocationResponse.$Shape} InvocationResponse
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        InvocationResponse.decode = function (reader, length, _end, _depth, _target) {
                            if (!(reader instanceof $Reader))
                                reader = $Reader.create(reader);
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $Reader.recursionLimit)
                                throw $Error("max depth exceeded");
                            let end, message;
                            if (length === $undefined)
                                end = reader.len;
                            else {
                                end = reader.pos + length;
                                if (end > reader.len)
                                    throw $RangeError("index out of range");
                                length = reader.len;
                                reader.len = end;
                            }
                            message = _target || new $root.io.statefun.sdk.reqreply.FromFunction.InvocationResponse();
                            while (reader.pos < end) {
                                let start = reader.pos;
                                let tag = reader.tag();
                                if (tag === _end) {
                                    _end = $undefined;
                                    break;
                                }
                                let wireType = tag & 7;
                                switch (tag >>>= 3) {
                                case 1: {
                                        if (wireType !== 2)
                                            break;
                                        if (!(message.stateMutations && message.stateMutations.length))
                                            message.stateMutations = [];
                                        message.stateMutations.push($root.io.statefun.sdk.reqreply.FromFunction.PersistedValueMutation.decode(reader, reader.size(), $undefined, _depth + 1));
                                        continue;
                                    }
                                case 2: {
                                        if (wireType !== 2)
                                            break;
                                        if (!(message.outgoingMessages && message.outgoingMessages.length))
                                            message.outgoingMessages = [];
                                        message.outgoingMessages.push($root.io.statefun.sdk.reqreply.FromFunction.Invocation.decode(reader, reader.size(), $undefined, _depth + 1));
                                        continue;
                                    }
                                case 3: {
                                        if (wireType !== 2)
                                            break;
                                        if (!(message.delayedInvocations && message.delayedInvocations.length))
                                            message.delayedInvocations = [];
                                        message.delayedInvocations.push($root.io.statefun.sdk.reqreply.FromFunction.DelayedInvocation.decode(reader, reader.size(), $undefined, _depth + 1));
                                        continue;
                                    }
                                case 4: {
                                        if (wireType !== 2)
                                            break;
                                        if (!(message.outgoingEgresses && message.outgoingEgresses.length))
                                            message.outgoingEgresses = [];
                                        message.outgoingEgresses.push($root.io.statefun.sdk.reqreply.FromFunction.EgressMessage.decode(reader, reader.size(), $undefined, _depth + 1));
                                        continue;
                                    }
                                }
                                reader.skipType(wireType, _depth, tag);
                                if (!reader.discardUnknown) {
                                    $util.makeProp(message, "$unknowns", false);
                                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                                }
                            }
                            if (length !== $undefined) {
                                if (reader.pos !== end)
                                    throw $RangeError("index out of range");
                                reader.len = length;
                            }
                            if (_end !== $undefined)
                                throw $Error("missing end group");
                            return message;
                        };

                        return InvocationResponse;
                    })();

                    FromFunction.ExpirationSpec = (function() {

                        /**
                         * Properties of an ExpirationSpec.
                         * @typedef {Object} io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties
                         * @property {io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.ExpireMode|null} [mode] ExpirationSpec mode
                         * @property {number|null} [expireAfterMillis] ExpirationSpec expireAfterMillis
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */

                        /**
                         * Properties of an ExpirationSpec.
                         * @memberof io.statefun.sdk.reqreply.FromFunction
                         * @interface IExpirationSpec
                         * @augments io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties
                         * @deprecated Use io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties instead.
                         */

                        /**
                         * Shape of an ExpirationSpec.
                         * @typedef {io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties} io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Shape
                         */

                        /**
                         * Constructs a new ExpirationSpec.
                         * @memberof io.statefun.sdk.reqreply.FromFunction
                         * @classdesc Represents an ExpirationSpec.
                         * @constructor
                         * @param {io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties=} [properties] Properties to set
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */
                        const ExpirationSpec = function (properties) {
                            if (properties)
                                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                        this[keys[i]] = properties[keys[i]];
                        };

                        /**
                         * ExpirationSpec mode.
                         * @member {io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.ExpireMode} mode
                         * @memberof io.statefun.sdk.reqreply.FromFunction.ExpirationSpec
                         * @instance
                         */
                        ExpirationSpec.prototype.mode = 0;

                        /**
                         * ExpirationSpec expireAfterMillis.
                         * @member {number} expireAfterMillis
                         * @memberof io.statefun.sdk.reqreply.FromFunction.ExpirationSpec
                         * @instance
                         */
                        ExpirationSpec.prototype.expireAfterMillis = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

                        /**
                         * Creates a new ExpirationSpec instance using the specified properties.
                         * @function create
                         * @memberof io.statefun.sdk.reqreply.FromFunction.ExpirationSpec
                         * @static
                         * @param {io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties=} [properties] Properties to set
                         * @returns {io.statefun.sdk.reqreply.FromFunction.ExpirationSpec} ExpirationSpec instance
                         * @type {{
                         *   (properties: io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Shape): io.statefun.sdk.reqreply.FromFunction.ExpirationSpec & io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Shape;
                         *   (properties?: io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties): io.statefun.sdk.reqreply.FromFunction.ExpirationSpec;
                         * }}
                         */
                        ExpirationSpec.create = function(properties) {
                            return new ExpirationSpec(properties);
                        };

                        /**
                         * Encodes the specified ExpirationSpec message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.verify|verify} messages.
                         * @function encode
                         * @memberof io.statefun.sdk.reqreply.FromFunction.ExpirationSpec
                         * @static
                         * @param {io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties} message ExpirationSpec message or plain object to encode
                         * @param {$protobuf.Writer} [writer] Writer to encode to
                         * @returns {$protobuf.Writer} Writer
                         */
                        ExpirationSpec.encode = function (message, writer, _depth) {
                            if (!writer)
                                writer = $Writer.create();
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $util.recursionLimit)
                                throw $Error("max depth exceeded");
                            if (message.mode != null && $Object.hasOwnProperty.call(message, "mode") && message.mode !== 0)
                                writer.uint32(/* id 1, wireType 0 =*/8).int32(message.mode);
                            if (message.expireAfterMillis != null && $Object.hasOwnProperty.call(message, "expireAfterMillis") && (typeof message.expireAfterMillis === "object" ? message.expireAfterMillis.low || message.expireAfterMillis.high : message.expireAfterMillis !== 0))
                                writer.uint32(/* id 2, wireType 0 =*/16).int64(message.expireAfterMillis);
                            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                                for (let i = 0; i < message.$unknowns.length; ++i)
                                    writer.raw(message.$unknowns[i]);
                            return writer;
                        };

                        /**
                         * Decodes an ExpirationSpec message from the specified reader or buffer.
                         * @function decode
                         * @memberof io.statefun.sdk.reqreply.FromFunction.ExpirationSpec
                         * @static
                         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                         * @param {number} [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.FromFunction.ExpirationSpec & io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Shape} ExpirationSpec
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        ExpirationSpec.decode = function (reader, length, _end, _depth, _target) {
                            if (!(reader instanceof $Reader))
                                reader = $Reader.create(reader);
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $Reader.recursionLimit)
                                throw $Error("max depth exceeded");
                            let end, message, value;
                            if (length === $undefined)
                                end = reader.len;
                            else {
                                end = reader.pos + length;
                                if (end > reader.len)
                                    throw $RangeError("index out of range");
                                length = reader.len;
                                reader.len = end;
                            }
                            message = _target || new $root.io.statefun.sdk.reqreply.FromFunction.ExpirationSpec();
                            while (reader.pos < end) {
                                let start = reader.pos;
                                let tag = reader.tag();
                                if (tag === _end) {
                                    _end = $undefined;
                                    break;
                                }
                                let wireType = tag & 7;
                                switch (tag >>>= 3) {
                                case 1: {
                                        if (wireType !== 0)
                                            break;
                                        if (value = reader.int32())
                                            message.mode = value;
                                        else
                                            delete message.mode;
                                        continue;
                                    }
                                case 2: {
                                        if (wireType !== 0)
                                            break;
                                        if (typeof (value = reader.int64()) === "object" ? value.low || value.high : value !== 0)
                                            message.expireAfterMillis = value;
                                        else
                                            delete message.expireAfterMillis;
                                        continue;
                                    }
                                }
                                reader.skipType(wireType, _depth, tag);
                                if (!reader.discardUnknown) {
                                    $util.makeProp(message, "$unknowns", false);
                                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                                }
                            }
                            if (length !== $undefined) {
                                if (reader.pos !== end)
                                    throw $RangeError("index out of range");
                                reader.len = length;
                            }
                            if (_end !== $undefined)
                                throw $Error("missing end group");
                            return message;
                        };

                        /**
                         * ExpireMode enum.
                         * @name io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.ExpireMode
                         * @enum {number}
                         * @property {number} NONE=0 NONE value
                         * @property {number} AFTER_WRITE=1 AFTER_WRITE value
                         * @property {number} AFTER_INVOKE=2 AFTER_INVOKE value
                         */
                        ExpirationSpec.ExpireMode = (function() {
                            const valuesById = $Object.create(null), values = $Object.create(valuesById);
                            values[valuesById[0] = "NONE"] = 0;
                            values[valuesById[1] = "AFTER_WRITE"] = 1;
                            values[valuesById[2] = "AFTER_INVOKE"] = 2;
                            return values;
                        })();

                        return ExpirationSpec;
                    })();

                    FromFunction.PersistedValueSpec = (function() {

                        /**
                         * Properties of a PersistedValueSpec.
                         * @typedef {Object} io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties
                         * @property {string|null} [stateName] PersistedValueSpec stateName
                         * @property {io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties|null} [expirationSpec] PersistedValueSpec expirationSpec
                         * @property {string|null} [typeTypename] PersistedValueSpec typeTypename
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */

                        /**
                         * Properties of a PersistedValueSpec.
                         * @memberof io.statefun.sdk.reqreply.FromFunction
                         * @interface IPersistedValueSpec
                         * @augments io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties
                         * @deprecated Use io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties instead.
                         */

                        /**
                         * Shape of a PersistedValueSpec.
                         * @typedef {io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties} io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Shape
                         */

                        /**
                         * Constructs a new PersistedValueSpec.
                         * @memberof io.statefun.sdk.reqreply.FromFunction
                         * @classdesc Represents a PersistedValueSpec.
                         * @constructor
                         * @param {io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties=} [properties] Properties to set
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */
                        const PersistedValueSpec = function (properties) {
                            if (properties)
                                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                        this[keys[i]] = properties[keys[i]];
                        };

                        /**
                         * PersistedValueSpec stateName.
                         * @member {string} stateName
                         * @memberof io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec
                         * @instance
                         */
                        PersistedValueSpec.prototype.stateName = "";

                        /**
                         * PersistedValueSpec expirationSpec.
                         * @member {io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.$Properties|null|undefined} expirationSpec
                         * @memberof io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec
                         * @instance
                         */
                        PersistedValueSpec.prototype.expirationSpec = null;

                        /**
                         * PersistedValueSpec typeTypename.
                         * @member {string} typeTypename
                         * @memberof io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec
                         * @instance
                         */
                        PersistedValueSpec.prototype.typeTypename = "";

                        /**
                         * Creates a new PersistedValueSpec instance using the specified properties.
                         * @function create
                         * @memberof io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec
                         * @static
                         * @param {io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties=} [properties] Properties to set
                         * @returns {io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec} PersistedValueSpec instance
                         * @type {{
                         *   (properties: io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Shape): io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec & io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Shape;
                         *   (properties?: io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties): io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec;
                         * }}
                         */
                        PersistedValueSpec.create = function(properties) {
                            return new PersistedValueSpec(properties);
                        };

                        /**
                         * Encodes the specified PersistedValueSpec message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.verify|verify} messages.
                         * @function encode
                         * @memberof io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec
                         * @static
                         * @param {io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties} message PersistedValueSpec message or plain object to encode
                         * @param {$protobuf.Writer} [writer] Writer to encode to
                         * @returns {$protobuf.Writer} Writer
                         */
                        PersistedValueSpec.encode = function (message, writer, _depth) {
                            if (!writer)
                                writer = $Writer.create();
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $util.recursionLimit)
                                throw $Error("max depth exceeded");
                            if (message.stateName != null && $Object.hasOwnProperty.call(message, "stateName") && message.stateName !== "")
                                writer.uint32(/* id 1, wireType 2 =*/10).string(message.stateName);
                            if (message.expirationSpec != null && $Object.hasOwnProperty.call(message, "expirationSpec"))
                                $root.io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.encode(message.expirationSpec, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                            if (message.typeTypename != null && $Object.hasOwnProperty.call(message, "typeTypename") && message.typeTypename !== "")
                                writer.uint32(/* id 3, wireType 2 =*/26).string(message.typeTypename);
                            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                                for (let i = 0; i < message.$unknowns.length; ++i)
                                    writer.raw(message.$unknowns[i]);
                            return writer;
                        };

                        /**
                         * Decodes a PersistedValueSpec message from the specified reader or buffer.
                         * @function decode
                         * @memberof io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec
                         * @static
                         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                         * @param {number} [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec & io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Shape} PersistedValueSpec
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        PersistedValueSpec.decode = function (reader, length, _end, _depth, _target) {
                            if (!(reader instanceof $Reader))
                                reader = $Reader.create(reader);
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $Reader.recursionLimit)
                                throw $Error("max depth exceeded");
                            let end, message, value;
                            if (length === $undefined)
                                end = reader.len;
                            else {
                                end = reader.pos + length;
                                if (end > reader.len)
                                    throw $RangeError("index out of range");
                                length = reader.len;
                                reader.len = end;
                            }
                            message = _target || new $root.io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec();
                            while (reader.pos < end) {
                                let start = reader.pos;
                                let tag = reader.tag();
                                if (tag === _end) {
                                    _end = $undefined;
                                    break;
                                }
                                let wireType = tag & 7;
                                switch (tag >>>= 3) {
                                case 1: {
                                        if (wireType !== 2)
                                            break;
                                        if ((value = reader.stringVerify()).length)
                                            message.stateName = value;
                                        else
                                            delete message.stateName;
                                        continue;
                                    }
                                case 2: {
                                        if (wireType !== 2)
                                            break;
                                        message.expirationSpec = $root.io.statefun.sdk.reqreply.FromFunction.ExpirationSpec.decode(reader, reader.size(), $undefined, _depth + 1, message.expirationSpec);
                                        continue;
                                    }
                                case 3: {
                                        if (wireType !== 2)
                                            break;
                                        if ((value = reader.stringVerify()).length)
                                            message.typeTypename = value;
                                        else
                                            delete message.typeTypename;
                                        continue;
                                    }
                                }
                                reader.skipType(wireType, _depth, tag);
                                if (!reader.discardUnknown) {
                                    $util.makeProp(message, "$unknowns", false);
                                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                                }
                            }
                            if (length !== $undefined) {
                                if (reader.pos !== end)
                                    throw $RangeError("index out of range");
                                reader.len = length;
                            }
                            if (_end !== $undefined)
                                throw $Error("missing end group");
                            return message;
                        };

                        return PersistedValueSpec;
                    })();

                    FromFunction.IncompleteInvocationContext = (function() {

                        /**
                         * Properties of an IncompleteInvocationContext.
                         * @typedef {Object} io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties
                         * @property {Array.<io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties>|null} [missingValues] IncompleteInvocationContext missingValues
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */

                        /**
                         * Properties of an IncompleteInvocationContext.
                         * @memberof io.statefun.sdk.reqreply.FromFunction
                         * @interface IIncompleteInvocationContext
                         * @augments io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties
                         * @deprecated Use io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties instead.
                         */

                        /**
                         * Shape of an IncompleteInvocationContext.
                         * @typedef {io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties} io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Shape
                         */

                        /**
                         * Constructs a new IncompleteInvocationContext.
                         * @memberof io.statefun.sdk.reqreply.FromFunction
                         * @classdesc Represents an IncompleteInvocationContext.
                         * @constructor
                         * @param {io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties=} [properties] Properties to set
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */
                        const IncompleteInvocationContext = function (properties) {
                            this.missingValues = [];
                            if (properties)
                                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                        this[keys[i]] = properties[keys[i]];
                        };

                        /**
                         * IncompleteInvocationContext missingValues.
                         * @member {Array.<io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.$Properties>} missingValues
                         * @memberof io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext
                         * @instance
                         */
                        IncompleteInvocationContext.prototype.missingValues = $util.emptyArray;

                        /**
                         * Creates a new IncompleteInvocationContext instance using the specified properties.
                         * @function create
                         * @memberof io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext
                         * @static
                         * @param {io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties=} [properties] Properties to set
                         * @returns {io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext} IncompleteInvocationContext instance
                         * @type {{
                         *   (properties: io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Shape): io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext & io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Shape;
                         *   (properties?: io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties): io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext;
                         * }}
                         */
                        IncompleteInvocationContext.create = function(properties) {
                            return new IncompleteInvocationContext(properties);
                        };

                        /**
                         * Encodes the specified IncompleteInvocationContext message. Does not implicitly {@link io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.verify|verify} messages.
                         * @function encode
                         * @memberof io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext
                         * @static
                         * @param {io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Properties} message IncompleteInvocationContext message or plain object to encode
                         * @param {$protobuf.Writer} [writer] Writer to encode to
                         * @returns {$protobuf.Writer} Writer
                         */
                        IncompleteInvocationContext.encode = function (message, writer, _depth) {
                            if (!writer)
                                writer = $Writer.create();
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $util.recursionLimit)
                                throw $Error("max depth exceeded");
                            if (message.missingValues != null && message.missingValues.length)
                                for (let i = 0; i < message.missingValues.length; ++i)
                                    $root.io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.encode(message.missingValues[i], writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                                for (let i = 0; i < message.$unknowns.length; ++i)
                                    writer.raw(message.$unknowns[i]);
                            return writer;
                        };

                        /**
                         * Decodes an IncompleteInvocationContext message from the specified reader or buffer.
                         * @function decode
                         * @memberof io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext
                         * @static
                         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                         * @param {number} [length] Message length if known beforehand
                         * @returns {io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext & io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext.$Shape} IncompleteInvocationContext
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        IncompleteInvocationContext.decode = function (reader, length, _end, _depth, _target) {
                            if (!(reader instanceof $Reader))
                                reader = $Reader.create(reader);
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $Reader.recursionLimit)
                                throw $Error("max depth exceeded");
                            let end, message;
                            if (length === $undefined)
                                end = reader.len;
                            else {
                                end = reader.pos + length;
                                if (end > reader.len)
                                    throw $RangeError("index out of range");
                                length = reader.len;
                                reader.len = end;
                            }
                            message = _target || new $root.io.statefun.sdk.reqreply.FromFunction.IncompleteInvocationContext();
                            while (reader.pos < end) {
                                let start = reader.pos;
                                let tag = reader.tag();
                                if (tag === _end) {
                                    _end = $undefined;
                                    break;
                                }
                                let wireType = tag & 7;
                                switch (tag >>>= 3) {
                                case 1: {
                                        if (wireType !== 2)
                                            break;
                                        if (!(message.missingValues && message.missingValues.length))
                                            message.missingValues = [];
                                        message.missingValues.push($root.io.statefun.sdk.reqreply.FromFunction.PersistedValueSpec.decode(reader, reader.size(), $undefined, _depth + 1));
                                        continue;
                                    }
                                }
                                reader.skipType(wireType, _depth, tag);
                                if (!reader.discardUnknown) {
                                    $util.makeProp(message, "$unknowns", false);
                                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                                }
                            }
                            if (length !== $undefined) {
                                if (reader.pos !== end)
                                    throw $RangeError("index out of range");
                                reader.len = length;
                            }
                            if (_end !== $undefined)
                                throw $Error("missing end group");
                            return message;
                        };

                        return IncompleteInvocationContext;
                    })();

                    return FromFunction;
                })();

                return reqreply;
            })();

            sdk.types = (function() {

                /**
                 * Namespace types.
                 * @memberof io.statefun.sdk
                 * @namespace
                 */
                const types = {};

                types.BooleanWrapper = (function() {

                    /**
                     * Properties of a BooleanWrapper.
                     * @typedef {Object} io.statefun.sdk.types.BooleanWrapper.$Properties
                     * @property {boolean|null} [value] BooleanWrapper value
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */

                    /**
                     * Properties of a BooleanWrapper.
                     * @memberof io.statefun.sdk.types
                     * @interface IBooleanWrapper
                     * @augments io.statefun.sdk.types.BooleanWrapper.$Properties
                     * @deprecated Use io.statefun.sdk.types.BooleanWrapper.$Properties instead.
                     */

                    /**
                     * Shape of a BooleanWrapper.
                     * @typedef {io.statefun.sdk.types.BooleanWrapper.$Properties} io.statefun.sdk.types.BooleanWrapper.$Shape
                     */

                    /**
                     * Constructs a new BooleanWrapper.
                     * @memberof io.statefun.sdk.types
                     * @classdesc Represents a BooleanWrapper.
                     * @constructor
                     * @param {io.statefun.sdk.types.BooleanWrapper.$Properties=} [properties] Properties to set
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */
                    const BooleanWrapper = function (properties) {
                        if (properties)
                            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                    this[keys[i]] = properties[keys[i]];
                    };

                    /**
                     * BooleanWrapper value.
                     * @member {boolean} value
                     * @memberof io.statefun.sdk.types.BooleanWrapper
                     * @instance
                     */
                    BooleanWrapper.prototype.value = false;

                    /**
                     * Creates a new BooleanWrapper instance using the specified properties.
                     * @function create
                     * @memberof io.statefun.sdk.types.BooleanWrapper
                     * @static
                     * @param {io.statefun.sdk.types.BooleanWrapper.$Properties=} [properties] Properties to set
                     * @returns {io.statefun.sdk.types.BooleanWrapper} BooleanWrapper instance
                     * @type {{
                     *   (properties: io.statefun.sdk.types.BooleanWrapper.$Shape): io.statefun.sdk.types.BooleanWrapper & io.statefun.sdk.types.BooleanWrapper.$Shape;
                     *   (properties?: io.statefun.sdk.types.BooleanWrapper.$Properties): io.statefun.sdk.types.BooleanWrapper;
                     * }}
                     */
                    BooleanWrapper.create = function(properties) {
                        return new BooleanWrapper(properties);
                    };

                    /**
                     * Encodes the specified BooleanWrapper message. Does not implicitly {@link io.statefun.sdk.types.BooleanWrapper.verify|verify} messages.
                     * @function encode
                     * @memberof io.statefun.sdk.types.BooleanWrapper
                     * @static
                     * @param {io.statefun.sdk.types.BooleanWrapper.$Properties} message BooleanWrapper message or plain object to encode
                     * @param {$protobuf.Writer} [writer] Writer to encode to
                     * @returns {$protobuf.Writer} Writer
                     */
                    BooleanWrapper.encode = function (message, writer, _depth) {
                        if (!writer)
                            writer = $Writer.create();
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $util.recursionLimit)
                            throw $Error("max depth exceeded");
                        if (message.value != null && $Object.hasOwnProperty.call(message, "value") && message.value !== false)
                            writer.uint32(/* id 1, wireType 0 =*/8).bool(message.value);
                        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                            for (let i = 0; i < message.$unknowns.length; ++i)
                                writer.raw(message.$unknowns[i]);
                        return writer;
                    };

                    /**
                     * Decodes a BooleanWrapper message from the specified reader or buffer.
                     * @function decode
                     * @memberof io.statefun.sdk.types.BooleanWrapper
                     * @static
                     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                     * @param {number} [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.types.BooleanWrapper & io.statefun.sdk.types.BooleanWrapper.$Shape} BooleanWrapper
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    BooleanWrapper.decode = function (reader, length, _end, _depth, _target) {
                        if (!(reader instanceof $Reader))
                            reader = $Reader.create(reader);
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $Reader.recursionLimit)
                            throw $Error("max depth exceeded");
                        let end, message, value;
                        if (length === $undefined)
                            end = reader.len;
                        else {
                            end = reader.pos + length;
                            if (end > reader.len)
                                throw $RangeError("index out of range");
                            length = reader.len;
                            reader.len = end;
                        }
                        message = _target || new $root.io.statefun.sdk.types.BooleanWrapper();
                        while (reader.pos < end) {
                            let start = reader.pos;
                            let tag = reader.tag();
                            if (tag === _end) {
                                _end = $undefined;
                                break;
                            }
                            let wireType = tag & 7;
                            switch (tag >>>= 3) {
                            case 1: {
                                    if (wireType !== 0)
                                        break;
                                    if (value = reader.bool())
                                        message.value = value;
                                    else
                                        delete message.value;
                                    continue;
                                }
                            }
                            reader.skipType(wireType, _depth, tag);
                            if (!reader.discardUnknown) {
                                $util.makeProp(message, "$unknowns", false);
                                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                            }
                        }
                        if (length !== $undefined) {
                            if (reader.pos !== end)
                                throw $RangeError("index out of range");
                            reader.len = length;
                        }
                        if (_end !== $undefined)
                            throw $Error("missing end group");
                        return message;
                    };

                    return BooleanWrapper;
                })();

                types.IntWrapper = (function() {

                    /**
                     * Properties of an IntWrapper.
                     * @typedef {Object} io.statefun.sdk.types.IntWrapper.$Properties
                     * @property {number|null} [value] IntWrapper value
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */

                    /**
                     * Properties of an IntWrapper.
                     * @memberof io.statefun.sdk.types
                     * @interface IIntWrapper
                     * @augments io.statefun.sdk.types.IntWrapper.$Properties
                     * @deprecated Use io.statefun.sdk.types.IntWrapper.$Properties instead.
                     */

                    /**
                     * Shape of an IntWrapper.
                     * @typedef {io.statefun.sdk.types.IntWrapper.$Properties} io.statefun.sdk.types.IntWrapper.$Shape
                     */

                    /**
                     * Constructs a new IntWrapper.
                     * @memberof io.statefun.sdk.types
                     * @classdesc Represents an IntWrapper.
                     * @constructor
                     * @param {io.statefun.sdk.types.IntWrapper.$Properties=} [properties] Properties to set
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */
                    const IntWrapper = function (properties) {
                        if (properties)
                            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                    this[keys[i]] = properties[keys[i]];
                    };

                    /**
                     * IntWrapper value.
                     * @member {number} value
                     * @memberof io.statefun.sdk.types.IntWrapper
                     * @instance
                     */
                    IntWrapper.prototype.value = 0;

                    /**
                     * Creates a new IntWrapper instance using the specified properties.
                     * @function create
                     * @memberof io.statefun.sdk.types.IntWrapper
                     * @static
                     * @param {io.statefun.sdk.types.IntWrapper.$Properties=} [properties] Properties to set
                     * @returns {io.statefun.sdk.types.IntWrapper} IntWrapper instance
                     * @type {{
                     *   (properties: io.statefun.sdk.types.IntWrapper.$Shape): io.statefun.sdk.types.IntWrapper & io.statefun.sdk.types.IntWrapper.$Shape;
                     *   (properties?: io.statefun.sdk.types.IntWrapper.$Properties): io.statefun.sdk.types.IntWrapper;
                     * }}
                     */
                    IntWrapper.create = function(properties) {
                        return new IntWrapper(properties);
                    };

                    /**
                     * Encodes the specified IntWrapper message. Does not implicitly {@link io.statefun.sdk.types.IntWrapper.verify|verify} messages.
                     * @function encode
                     * @memberof io.statefun.sdk.types.IntWrapper
                     * @static
                     * @param {io.statefun.sdk.types.IntWrapper.$Properties} message IntWrapper message or plain object to encode
                     * @param {$protobuf.Writer} [writer] Writer to encode to
                     * @returns {$protobuf.Writer} Writer
                     */
                    IntWrapper.encode = function (message, writer, _depth) {
                        if (!writer)
                            writer = $Writer.create();
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $util.recursionLimit)
                            throw $Error("max depth exceeded");
                        if (message.value != null && $Object.hasOwnProperty.call(message, "value") && message.value !== 0)
                            writer.uint32(/* id 1, wireType 5 =*/13).sfixed32(message.value);
                        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                            for (let i = 0; i < message.$unknowns.length; ++i)
                                writer.raw(message.$unknowns[i]);
                        return writer;
                    };

                    /**
                     * Decodes an IntWrapper message from the specified reader or buffer.
                     * @function decode
                     * @memberof io.statefun.sdk.types.IntWrapper
                     * @static
                     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                     * @param {number} [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.types.IntWrapper & io.statefun.sdk.types.IntWrapper.$Shape} IntWrapper
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    IntWrapper.decode = function (reader, length, _end, _depth, _target) {
                        if (!(reader instanceof $Reader))
                            reader = $Reader.create(reader);
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $Reader.recursionLimit)
                            throw $Error("max depth exceeded");
                        let end, message, value;
                        if (length === $undefined)
                            end = reader.len;
                        else {
                            end = reader.pos + length;
                            if (end > reader.len)
                                throw $RangeError("index out of range");
                            length = reader.len;
                            reader.len = end;
                        }
                        message = _target || new $root.io.statefun.sdk.types.IntWrapper();
                        while (reader.pos < end) {
                            let start = reader.pos;
                            let tag = reader.tag();
                            if (tag === _end) {
                                _end = $undefined;
                                break;
                            }
                            let wireType = tag & 7;
                            switch (tag >>>= 3) {
                            case 1: {
                                    if (wireType !== 5)
                                        break;
                                    if (value = reader.sfixed32())
                                        message.value = value;
                                    else
                                        delete message.value;
                                    continue;
                                }
                            }
                            reader.skipType(wireType, _depth, tag);
                            if (!reader.discardUnknown) {
                                $util.makeProp(message, "$unknowns", false);
                                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                            }
                        }
                        if (length !== $undefined) {
                            if (reader.pos !== end)
                                throw $RangeError("index out of range");
                            reader.len = length;
                        }
                        if (_end !== $undefined)
                            throw $Error("missing end group");
                        return message;
                    };

                    return IntWrapper;
                })();

                types.FloatWrapper = (function() {

                    /**
                     * Properties of a FloatWrapper.
                     * @typedef {Object} io.statefun.sdk.types.FloatWrapper.$Properties
                     * @property {number|null} [value] FloatWrapper value
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */

                    /**
                     * Properties of a FloatWrapper.
                     * @memberof io.statefun.sdk.types
                     * @interface IFloatWrapper
                     * @augments io.statefun.sdk.types.FloatWrapper.$Properties
                     * @deprecated Use io.statefun.sdk.types.FloatWrapper.$Properties instead.
                     */

                    /**
                     * Shape of a FloatWrapper.
                     * @typedef {io.statefun.sdk.types.FloatWrapper.$Properties} io.statefun.sdk.types.FloatWrapper.$Shape
                     */

                    /**
                     * Constructs a new FloatWrapper.
                     * @memberof io.statefun.sdk.types
                     * @classdesc Represents a FloatWrapper.
                     * @constructor
                     * @param {io.statefun.sdk.types.FloatWrapper.$Properties=} [properties] Properties to set
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */
                    const FloatWrapper = function (properties) {
                        if (properties)
                            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                    this[keys[i]] = properties[keys[i]];
                    };

                    /**
                     * FloatWrapper value.
                     * @member {number} value
                     * @memberof io.statefun.sdk.types.FloatWrapper
                     * @instance
                     */
                    FloatWrapper.prototype.value = 0;

                    /**
                     * Creates a new FloatWrapper instance using the specified properties.
                     * @function create
                     * @memberof io.statefun.sdk.types.FloatWrapper
                     * @static
                     * @param {io.statefun.sdk.types.FloatWrapper.$Properties=} [properties] Properties to set
                     * @returns {io.statefun.sdk.types.FloatWrapper} FloatWrapper instance
                     * @type {{
                     *   (properties: io.statefun.sdk.types.FloatWrapper.$Shape): io.statefun.sdk.types.FloatWrapper & io.statefun.sdk.types.FloatWrapper.$Shape;
                     *   (properties?: io.statefun.sdk.types.FloatWrapper.$Properties): io.statefun.sdk.types.FloatWrapper;
                     * }}
                     */
                    FloatWrapper.create = function(properties) {
                        return new FloatWrapper(properties);
                    };

                    /**
                     * Encodes the specified FloatWrapper message. Does not implicitly {@link io.statefun.sdk.types.FloatWrapper.verify|verify} messages.
                     * @function encode
                     * @memberof io.statefun.sdk.types.FloatWrapper
                     * @static
                     * @param {io.statefun.sdk.types.FloatWrapper.$Properties} message FloatWrapper message or plain object to encode
                     * @param {$protobuf.Writer} [writer] Writer to encode to
                     * @returns {$protobuf.Writer} Writer
                     */
                    FloatWrapper.encode = function (message, writer, _depth) {
                        if (!writer)
                            writer = $Writer.create();
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $util.recursionLimit)
                            throw $Error("max depth exceeded");
                        if (message.value != null && $Object.hasOwnProperty.call(message, "value") && !$Object.is(message.value, 0))
                            writer.uint32(/* id 1, wireType 5 =*/13).float(message.value);
                        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                            for (let i = 0; i < message.$unknowns.length; ++i)
                                writer.raw(message.$unknowns[i]);
                        return writer;
                    };

                    /**
                     * Decodes a FloatWrapper message from the specified reader or buffer.
                     * @function decode
                     * @memberof io.statefun.sdk.types.FloatWrapper
                     * @static
                     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                     * @param {number} [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.types.FloatWrapper & io.statefun.sdk.types.FloatWrapper.$Shape} FloatWrapper
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    FloatWrapper.decode = function (reader, length, _end, _depth, _target) {
                        if (!(reader instanceof $Reader))
                            reader = $Reader.create(reader);
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $Reader.recursionLimit)
                            throw $Error("max depth exceeded");
                        let end, message, value;
                        if (length === $undefined)
                            end = reader.len;
                        else {
                            end = reader.pos + length;
                            if (end > reader.len)
                                throw $RangeError("index out of range");
                            length = reader.len;
                            reader.len = end;
                        }
                        message = _target || new $root.io.statefun.sdk.types.FloatWrapper();
                        while (reader.pos < end) {
                            let start = reader.pos;
                            let tag = reader.tag();
                            if (tag === _end) {
                                _end = $undefined;
                                break;
                            }
                            let wireType = tag & 7;
                            switch (tag >>>= 3) {
                            case 1: {
                                    if (wireType !== 5)
                                        break;
                                    if (!$Object.is(value = reader.float(), 0))
                                        message.value = value;
                                    else
                                        delete message.value;
                                    continue;
                                }
                            }
                            reader.skipType(wireType, _depth, tag);
                            if (!reader.discardUnknown) {
                                $util.makeProp(message, "$unknowns", false);
                                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                            }
                        }
                        if (length !== $undefined) {
                            if (reader.pos !== end)
                                throw $RangeError("index out of range");
                            reader.len = length;
                        }
                        if (_end !== $undefined)
                            throw $Error("missing end group");
                        return message;
                    };

                    return FloatWrapper;
                })();

                types.LongWrapper = (function() {

                    /**
                     * Properties of a LongWrapper.
                     * @typedef {Object} io.statefun.sdk.types.LongWrapper.$Properties
                     * @property {number|null} [value] LongWrapper value
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */

                    /**
                     * Properties of a LongWrapper.
                     * @memberof io.statefun.sdk.types
                     * @interface ILongWrapper
                     * @augments io.statefun.sdk.types.LongWrapper.$Properties
                     * @deprecated Use io.statefun.sdk.types.LongWrapper.$Properties instead.
                     */

                    /**
                     * Shape of a LongWrapper.
                     * @typedef {io.statefun.sdk.types.LongWrapper.$Properties} io.statefun.sdk.types.LongWrapper.$Shape
                     */

                    /**
                     * Constructs a new LongWrapper.
                     * @memberof io.statefun.sdk.types
                     * @classdesc Represents a LongWrapper.
                     * @constructor
                     * @param {io.statefun.sdk.types.LongWrapper.$Properties=} [properties] Properties to set
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */
                    const LongWrapper = function (properties) {
                        if (properties)
                            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                    this[keys[i]] = properties[keys[i]];
                    };

                    /**
                     * LongWrapper value.
                     * @member {number} value
                     * @memberof io.statefun.sdk.types.LongWrapper
                     * @instance
                     */
                    LongWrapper.prototype.value = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

                    /**
                     * Creates a new LongWrapper instance using the specified properties.
                     * @function create
                     * @memberof io.statefun.sdk.types.LongWrapper
                     * @static
                     * @param {io.statefun.sdk.types.LongWrapper.$Properties=} [properties] Properties to set
                     * @returns {io.statefun.sdk.types.LongWrapper} LongWrapper instance
                     * @type {{
                     *   (properties: io.statefun.sdk.types.LongWrapper.$Shape): io.statefun.sdk.types.LongWrapper & io.statefun.sdk.types.LongWrapper.$Shape;
                     *   (properties?: io.statefun.sdk.types.LongWrapper.$Properties): io.statefun.sdk.types.LongWrapper;
                     * }}
                     */
                    LongWrapper.create = function(properties) {
                        return new LongWrapper(properties);
                    };

                    /**
                     * Encodes the specified LongWrapper message. Does not implicitly {@link io.statefun.sdk.types.LongWrapper.verify|verify} messages.
                     * @function encode
                     * @memberof io.statefun.sdk.types.LongWrapper
                     * @static
                     * @param {io.statefun.sdk.types.LongWrapper.$Properties} message LongWrapper message or plain object to encode
                     * @param {$protobuf.Writer} [writer] Writer to encode to
                     * @returns {$protobuf.Writer} Writer
                     */
                    LongWrapper.encode = function (message, writer, _depth) {
                        if (!writer)
                            writer = $Writer.create();
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $util.recursionLimit)
                            throw $Error("max depth exceeded");
                        if (message.value != null && $Object.hasOwnProperty.call(message, "value") && (typeof message.value === "object" ? message.value.low || message.value.high : message.value !== 0))
                            writer.uint32(/* id 1, wireType 1 =*/9).sfixed64(message.value);
                        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                            for (let i = 0; i < message.$unknowns.length; ++i)
                                writer.raw(message.$unknowns[i]);
                        return writer;
                    };

                    /**
                     * Decodes a LongWrapper message from the specified reader or buffer.
                     * @function decode
                     * @memberof io.statefun.sdk.types.LongWrapper
                     * @static
                     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                     * @param {number} [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.types.LongWrapper & io.statefun.sdk.types.LongWrapper.$Shape} LongWrapper
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    LongWrapper.decode = function (reader, length, _end, _depth, _target) {
                        if (!(reader instanceof $Reader))
                            reader = $Reader.create(reader);
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $Reader.recursionLimit)
                            throw $Error("max depth exceeded");
                        let end, message, value;
                        if (length === $undefined)
                            end = reader.len;
                        else {
                            end = reader.pos + length;
                            if (end > reader.len)
                                throw $RangeError("index out of range");
                            length = reader.len;
                            reader.len = end;
                        }
                        message = _target || new $root.io.statefun.sdk.types.LongWrapper();
                        while (reader.pos < end) {
                            let start = reader.pos;
                            let tag = reader.tag();
                            if (tag === _end) {
                                _end = $undefined;
                                break;
                            }
                            let wireType = tag & 7;
                            switch (tag >>>= 3) {
                            case 1: {
                                    if (wireType !== 1)
                                        break;
                                    if (typeof (value = reader.sfixed64()) === "object" ? value.low || value.high : value !== 0)
                                        message.value = value;
                                    else
                                        delete message.value;
                                    continue;
                                }
                            }
                            reader.skipType(wireType, _depth, tag);
                            if (!reader.discardUnknown) {
                                $util.makeProp(message, "$unknowns", false);
                                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                            }
                        }
                        if (length !== $undefined) {
                            if (reader.pos !== end)
                                throw $RangeError("index out of range");
                            reader.len = length;
                        }
                        if (_end !== $undefined)
                            throw $Error("missing end group");
                        return message;
                    };

                    return LongWrapper;
                })();

                types.DoubleWrapper = (function() {

                    /**
                     * Properties of a DoubleWrapper.
                     * @typedef {Object} io.statefun.sdk.types.DoubleWrapper.$Properties
                     * @property {number|null} [value] DoubleWrapper value
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */

                    /**
                     * Properties of a DoubleWrapper.
                     * @memberof io.statefun.sdk.types
                     * @interface IDoubleWrapper
                     * @augments io.statefun.sdk.types.DoubleWrapper.$Properties
                     * @deprecated Use io.statefun.sdk.types.DoubleWrapper.$Properties instead.
                     */

                    /**
                     * Shape of a DoubleWrapper.
                     * @typedef {io.statefun.sdk.types.DoubleWrapper.$Properties} io.statefun.sdk.types.DoubleWrapper.$Shape
                     */

                    /**
                     * Constructs a new DoubleWrapper.
                     * @memberof io.statefun.sdk.types
                     * @classdesc Represents a DoubleWrapper.
                     * @constructor
                     * @param {io.statefun.sdk.types.DoubleWrapper.$Properties=} [properties] Properties to set
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */
                    const DoubleWrapper = function (properties) {
                        if (properties)
                            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                    this[keys[i]] = properties[keys[i]];
                    };

                    /**
                     * DoubleWrapper value.
                     * @member {number} value
                     * @memberof io.statefun.sdk.types.DoubleWrapper
                     * @instance
                     */
                    DoubleWrapper.prototype.value = 0;

                    /**
                     * Creates a new DoubleWrapper instance using the specified properties.
                     * @function create
                     * @memberof io.statefun.sdk.types.DoubleWrapper
                     * @static
                     * @param {io.statefun.sdk.types.DoubleWrapper.$Properties=} [properties] Properties to set
                     * @returns {io.statefun.sdk.types.DoubleWrapper} DoubleWrapper instance
                     * @type {{
                     *   (properties: io.statefun.sdk.types.DoubleWrapper.$Shape): io.statefun.sdk.types.DoubleWrapper & io.statefun.sdk.types.DoubleWrapper.$Shape;
                     *   (properties?: io.statefun.sdk.types.DoubleWrapper.$Properties): io.statefun.sdk.types.DoubleWrapper;
                     * }}
                     */
                    DoubleWrapper.create = function(properties) {
                        return new DoubleWrapper(properties);
                    };

                    /**
                     * Encodes the specified DoubleWrapper message. Does not implicitly {@link io.statefun.sdk.types.DoubleWrapper.verify|verify} messages.
                     * @function encode
                     * @memberof io.statefun.sdk.types.DoubleWrapper
                     * @static
                     * @param {io.statefun.sdk.types.DoubleWrapper.$Properties} message DoubleWrapper message or plain object to encode
                     * @param {$protobuf.Writer} [writer] Writer to encode to
                     * @returns {$protobuf.Writer} Writer
                     */
                    DoubleWrapper.encode = function (message, writer, _depth) {
                        if (!writer)
                            writer = $Writer.create();
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $util.recursionLimit)
                            throw $Error("max depth exceeded");
                        if (message.value != null && $Object.hasOwnProperty.call(message, "value") && !$Object.is(message.value, 0))
                            writer.uint32(/* id 1, wireType 1 =*/9).double(message.value);
                        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                            for (let i = 0; i < message.$unknowns.length; ++i)
                                writer.raw(message.$unknowns[i]);
                        return writer;
                    };

                    /**
                     * Decodes a DoubleWrapper message from the specified reader or buffer.
                     * @function decode
                     * @memberof io.statefun.sdk.types.DoubleWrapper
                     * @static
                     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                     * @param {number} [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.types.DoubleWrapper & io.statefun.sdk.types.DoubleWrapper.$Shape} DoubleWrapper
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    DoubleWrapper.decode = function (reader, length, _end, _depth, _target) {
                        if (!(reader instanceof $Reader))
                            reader = $Reader.create(reader);
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $Reader.recursionLimit)
                            throw $Error("max depth exceeded");
                        let end, message, value;
                        if (length === $undefined)
                            end = reader.len;
                        else {
                            end = reader.pos + length;
                            if (end > reader.len)
                                throw $RangeError("index out of range");
                            length = reader.len;
                            reader.len = end;
                        }
                        message = _target || new $root.io.statefun.sdk.types.DoubleWrapper();
                        while (reader.pos < end) {
                            let start = reader.pos;
                            let tag = reader.tag();
                            if (tag === _end) {
                                _end = $undefined;
                                break;
                            }
                            let wireType = tag & 7;
                            switch (tag >>>= 3) {
                            case 1: {
                                    if (wireType !== 1)
                                        break;
                                    if (!$Object.is(value = reader.double(), 0))
                                        message.value = value;
                                    else
                                        delete message.value;
                                    continue;
                                }
                            }
                            reader.skipType(wireType, _depth, tag);
                            if (!reader.discardUnknown) {
                                $util.makeProp(message, "$unknowns", false);
                                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                            }
                        }
                        if (length !== $undefined) {
                            if (reader.pos !== end)
                                throw $RangeError("index out of range");
                            reader.len = length;
                        }
                        if (_end !== $undefined)
                            throw $Error("missing end group");
                        return message;
                    };

                    return DoubleWrapper;
                })();

                types.StringWrapper = (function() {

                    /**
                     * Properties of a StringWrapper.
                     * @typedef {Object} io.statefun.sdk.types.StringWrapper.$Properties
                     * @property {string|null} [value] StringWrapper value
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */

                    /**
                     * Properties of a StringWrapper.
                     * @memberof io.statefun.sdk.types
                     * @interface IStringWrapper
                     * @augments io.statefun.sdk.types.StringWrapper.$Properties
                     * @deprecated Use io.statefun.sdk.types.StringWrapper.$Properties instead.
                     */

                    /**
                     * Shape of a StringWrapper.
                     * @typedef {io.statefun.sdk.types.StringWrapper.$Properties} io.statefun.sdk.types.StringWrapper.$Shape
                     */

                    /**
                     * Constructs a new StringWrapper.
                     * @memberof io.statefun.sdk.types
                     * @classdesc Represents a StringWrapper.
                     * @constructor
                     * @param {io.statefun.sdk.types.StringWrapper.$Properties=} [properties] Properties to set
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */
                    const StringWrapper = function (properties) {
                        if (properties)
                            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                    this[keys[i]] = properties[keys[i]];
                    };

                    /**
                     * StringWrapper value.
                     * @member {string} value
                     * @memberof io.statefun.sdk.types.StringWrapper
                     * @instance
                     */
                    StringWrapper.prototype.value = "";

                    /**
                     * Creates a new StringWrapper instance using the specified properties.
                     * @function create
                     * @memberof io.statefun.sdk.types.StringWrapper
                     * @static
                     * @param {io.statefun.sdk.types.StringWrapper.$Properties=} [properties] Properties to set
                     * @returns {io.statefun.sdk.types.StringWrapper} StringWrapper instance
                     * @type {{
                     *   (properties: io.statefun.sdk.types.StringWrapper.$Shape): io.statefun.sdk.types.StringWrapper & io.statefun.sdk.types.StringWrapper.$Shape;
                     *   (properties?: io.statefun.sdk.types.StringWrapper.$Properties): io.statefun.sdk.types.StringWrapper;
                     * }}
                     */
                    StringWrapper.create = function(properties) {
                        return new StringWrapper(properties);
                    };

                    /**
                     * Encodes the specified StringWrapper message. Does not implicitly {@link io.statefun.sdk.types.StringWrapper.verify|verify} messages.
                     * @function encode
                     * @memberof io.statefun.sdk.types.StringWrapper
                     * @static
                     * @param {io.statefun.sdk.types.StringWrapper.$Properties} message StringWrapper message or plain object to encode
                     * @param {$protobuf.Writer} [writer] Writer to encode to
                     * @returns {$protobuf.Writer} Writer
                     */
                    StringWrapper.encode = function (message, writer, _depth) {
                        if (!writer)
                            writer = $Writer.create();
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $util.recursionLimit)
                            throw $Error("max depth exceeded");
                        if (message.value != null && $Object.hasOwnProperty.call(message, "value") && message.value !== "")
                            writer.uint32(/* id 1, wireType 2 =*/10).string(message.value);
                        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                            for (let i = 0; i < message.$unknowns.length; ++i)
                                writer.raw(message.$unknowns[i]);
                        return writer;
                    };

                    /**
                     * Decodes a StringWrapper message from the specified reader or buffer.
                     * @function decode
                     * @memberof io.statefun.sdk.types.StringWrapper
                     * @static
                     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                     * @param {number} [length] Message length if known beforehand
                     * @returns {io.statefun.sdk.types.StringWrapper & io.statefun.sdk.types.StringWrapper.$Shape} StringWrapper
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    StringWrapper.decode = function (reader, length, _end, _depth, _target) {
                        if (!(reader instanceof $Reader))
                            reader = $Reader.create(reader);
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $Reader.recursionLimit)
                            throw $Error("max depth exceeded");
                        let end, message, value;
                        if (length === $undefined)
                            end = reader.len;
                        else {
                            end = reader.pos + length;
                            if (end > reader.len)
                                throw $RangeError("index out of range");
                            length = reader.len;
                            reader.len = end;
                        }
                        message = _target || new $root.io.statefun.sdk.types.StringWrapper();
                        while (reader.pos < end) {
                            let start = reader.pos;
                            let tag = reader.tag();
                            if (tag === _end) {
                                _end = $undefined;
                                break;
                            }
                            let wireType = tag & 7;
                            switch (tag >>>= 3) {
                            case 1: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.value = value;
                                    else
                                        delete message.value;
                                    continue;
                                }
                            }
                            reader.skipType(wireType, _depth, tag);
                            if (!reader.discardUnknown) {
                                $util.makeProp(message, "$unknowns", false);
                                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                            }
                        }
                        if (length !== $undefined) {
                            if (reader.pos !== end)
                                throw $RangeError("index out of range");
                            reader.len = length;
                        }
                        if (_end !== $undefined)
                            throw $Error("missing end group");
                        return message;
                    };

                    return StringWrapper;
                })();

                return types;
            })();

            return sdk;
        })();

        return statefun;
    })();

    return io;
})();

export {
  $root as default
};
