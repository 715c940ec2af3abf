// The Avro `decimal` logical type on `bytes`: decimal strings such as "880.9100" <-> the two's-complement,
// big-endian unscaled integer Avro stores. Exact by construction: no float ever touches a price.
import { Type, types, type Schema } from 'avsc';

/** The slice of avsc's internal write cursor this module relies on (see avsc lib/utils.js `Tap`). */
interface Tap {
  buf: Buffer;
  pos: number;
  writeLong(n: number): void;
}

const DECIMAL_PATTERN = /^(-?)(\d+)(?:\.(\d*))?$/;
/** Unscaled values below 2^53 are converted with plain number arithmetic; larger ones with BigInt. */
const MAX_SAFE_UNSCALED = Number.MAX_SAFE_INTEGER;
const scratch = Buffer.alloc(32);

/**
 * Unscaled integer of a decimal string at `scale`, or undefined when the string is not a decimal with at
 * most `scale` fraction digits and at most `precision` digits in all. Never rounds.
 */
export function unscaledOf(value: string, precision: number, scale: number): bigint | number | undefined {
  const match = DECIMAL_PATTERN.exec(value);
  if (match === null) return undefined;
  const [, sign, integerDigits = '', fractionDigits = ''] = match;
  if (fractionDigits.length > scale) return undefined;
  const integerPart = integerDigits.replace(/^0+(?=\d)/, '');
  if (integerPart.length + scale > precision) return undefined;
  const digits = integerPart + fractionDigits.padEnd(scale, '0');
  if (digits.length <= 15) {
    const unscaled = Number(digits);
    return sign === '-' && unscaled !== 0 ? -unscaled : unscaled;
  }
  const unscaled = BigInt(digits);
  return sign === '-' ? -unscaled : unscaled;
}

/**
 * Writes the minimal two's-complement big-endian representation of `unscaled` (as Java's
 * `BigInteger.toByteArray()` does) into `target` at `offset`; returns the number of bytes written.
 */
function writeTwosComplement(unscaled: bigint | number, target: Buffer, offset: number): number {
  if (typeof unscaled === 'number' && Math.abs(unscaled) <= MAX_SAFE_UNSCALED) {
    let length = 1;
    // Smallest length whose signed range holds the value.
    while (length < 7 && (unscaled < -(2 ** (8 * length - 1)) || unscaled >= 2 ** (8 * length - 1))) {
      length += 1;
    }
    if (length <= 6) {
      target.writeIntBE(unscaled, offset, length);
      return length;
    }
  }
  let big = BigInt(unscaled);
  const bytes: number[] = [];
  const negative = big < 0n;
  for (;;) {
    const byte = Number(big & 0xffn);
    bytes.push(byte);
    big >>= 8n;
    const signBitSet = (byte & 0x80) !== 0;
    if ((!negative && big === 0n && !signBitSet) || (negative && big === -1n && signBitSet)) break;
  }
  for (let i = 0; i < bytes.length; i += 1) target[offset + i] = bytes[bytes.length - 1 - i] as number;
  return bytes.length;
}

/** Bytes of the decimal string, or undefined when it does not fit decimal(precision, scale). */
export function decimalToBytes(value: string, precision: number, scale: number): Buffer | undefined {
  const unscaled = unscaledOf(value, precision, scale);
  if (unscaled === undefined) return undefined;
  const length = writeTwosComplement(unscaled, scratch, 0);
  return Buffer.from(scratch.subarray(0, length));
}

/** Decimal string with exactly `scale` fraction digits, e.g. "-0.0001", from two's-complement bytes. */
export function bytesToDecimal(bytes: Buffer, scale: number): string {
  let unscaled: bigint | number;
  if (bytes.length === 0) unscaled = 0;
  else if (bytes.length <= 6) unscaled = bytes.readIntBE(0, bytes.length);
  else {
    let big = 0n;
    for (const byte of bytes) big = (big << 8n) | BigInt(byte);
    if ((bytes[0] as number) & 0x80) big -= 1n << BigInt(8 * bytes.length);
    unscaled = big;
  }
  const negative = unscaled < 0;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const cut = digits.length - scale;
  const text = scale === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  return negative ? `-${text}` : text;
}

/**
 * avsc logical type for `{"type": "bytes", "logicalType": "decimal", "precision": p, "scale": s}`.
 * Values are strings; writing goes straight into avsc's buffer so encoding a price allocates nothing.
 */
export class DecimalType extends types.LogicalType {
  readonly precision: number;
  readonly scale: number;

  constructor(schema: Schema, opts?: unknown) {
    super(schema, opts);
    const attributes = schema as { precision?: unknown; scale?: unknown };
    const precision = Number(attributes.precision);
    const scale = attributes.scale === undefined ? 0 : Number(attributes.scale);
    if (!Number.isInteger(precision) || precision < 1) {
      throw new Error(`invalid decimal precision: ${String(attributes.precision)}`);
    }
    if (!Number.isInteger(scale) || scale < 0 || scale > precision) {
      throw new Error(`invalid decimal scale: ${String(attributes.scale)}`);
    }
    if (!Type.isType(this.underlyingType, 'bytes')) {
      throw new Error('decimal is only supported on bytes');
    }
    this.precision = precision;
    this.scale = scale;
  }

  protected override _fromValue(value: Buffer): string {
    return bytesToDecimal(value, this.scale);
  }

  protected override _toValue(value: unknown): Buffer | undefined {
    if (typeof value !== 'string') return undefined;
    return decimalToBytes(value, this.precision, this.scale);
  }

  protected override _resolve(writer: Type): ((value: Buffer | string) => string) | undefined {
    // A decimal writer already reads strings; plain bytes are read as unscaled at our scale.
    if (writer instanceof DecimalType)
      return writer.scale === this.scale ? (value) => value as string : undefined;
    if (Type.isType(writer, 'bytes')) return (value) => this._fromValue(value as Buffer);
    return undefined;
  }

  protected override _export(schema: Schema): void {
    Object.assign(schema as object, { precision: this.precision, scale: this.scale });
  }

  /** Hot path of encoding: length prefix and unscaled bytes written in place. */
  _write(tap: Tap, value: unknown): void {
    const unscaled = typeof value === 'string' ? unscaledOf(value, this.precision, this.scale) : undefined;
    if (unscaled === undefined) {
      throw new Error(`invalid decimal(${this.precision},${this.scale}): ${JSON.stringify(value)}`);
    }
    const length = writeTwosComplement(unscaled, scratch, 0);
    tap.writeLong(length);
    const start = tap.pos;
    tap.pos += length;
    if (tap.pos <= tap.buf.length) scratch.copy(tap.buf, start, 0, length);
  }
}
