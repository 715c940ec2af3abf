// The Avro + registry serde: the Trade serde for producers and consumers, and its building blocks.
export { createTradeSerde, type TradeSerde, type TradeSerdeOptions } from './trade-serde';
export {
  WireFormat,
  RecordEncoder,
  readSchemaId,
  MAGIC_BYTE,
  HEADER_LENGTH,
  type SchemaFetcher,
  type WireFormatOptions,
} from './wire-format';
export { RegistryClient, type RegisteredVersion, type RegistryClientOptions } from './registry-client';
export { DecimalType, decimalToBytes, bytesToDecimal } from './decimal';
export { avroTypeFor, type AvroSchemaDefinition } from './avro-types';
