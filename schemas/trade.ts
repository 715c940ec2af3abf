// The Trade record as TypeScript sees it: the data contract of DESIGN.md §3, shared by the simulator,
// the serde and the tests. Field names match the Avro schema exactly.

export type TradeOperation = 'purchase' | 'sale';

/** Trade v1: the original fields with precise types. */
export interface TradeV1 {
  /** UUID string. */
  operation_id: string;
  person_name: string;
  symbol: string;
  /** Event time, epoch milliseconds (Avro timestamp-millis). */
  timestamp: number;
  exchange: string;
  /** ISO 4217 code matching the exchange. */
  currency: string;
  /** Decimal with exactly 4 fraction digits as a string, e.g. "880.9100" — never a float. */
  price: string;
  operation: TradeOperation;
}

/** Trade v2: v1 plus quantity (default 1) and an optional broker (default null). */
export interface TradeV2 extends TradeV1 {
  quantity: number;
  broker: string | null;
}

export type Trade = TradeV2;

/** Default stream, topic and registry subject names. */
export const DEFAULT_STREAM_NAME = 'trades';
export const subjectFor = (streamOrTopic: string): string => `${streamOrTopic}-value`;
