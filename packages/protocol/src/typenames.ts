/** Typenames fixed by the StateFun 3.x protocol. */

/** Typename of `io.statefun.types/bool` values (BooleanWrapper). */
export const BOOL_TYPENAME = 'io.statefun.types/bool';
/** Typename of `io.statefun.types/int` values (IntWrapper, sfixed32). */
export const INT_TYPENAME = 'io.statefun.types/int';
/** Typename of `io.statefun.types/long` values (LongWrapper, sfixed64). */
export const LONG_TYPENAME = 'io.statefun.types/long';
/** Typename of `io.statefun.types/float` values (FloatWrapper). */
export const FLOAT_TYPENAME = 'io.statefun.types/float';
/** Typename of `io.statefun.types/double` values (DoubleWrapper). */
export const DOUBLE_TYPENAME = 'io.statefun.types/double';
/** Typename of `io.statefun.types/string` values (StringWrapper). */
export const STRING_TYPENAME = 'io.statefun.types/string';
/** Placeholder type the runtime registers for a state declared with an empty typename. */
export const UNSET_TYPENAME = 'io.statefun.types/unset';
/** Typename every generic Kafka egress record must carry. */
export const KAFKA_PRODUCER_RECORD_TYPENAME =
  'type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord';
/** Typename every generic Kinesis egress record must carry. */
export const KINESIS_EGRESS_RECORD_TYPENAME =
  'type.googleapis.com/io.statefun.sdk.egress.KinesisEgressRecord';
