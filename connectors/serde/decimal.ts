// The Avro `decimal` logical type on `bytes`: decimal strings such as "880.9100" <-> the two's-complement,
// big-endian unscaled integer Avro stores. Exact by construction: no float ever touches a price.
import { Type, types, type Schema } from 'avsc';

/** The slice of avsc's internal buffer cursor this module relies on (see avsc lib/utils.js `Tap`). */
interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  writeLong(n: number): void;
}

const DECIMAL_PATTERN = /^(-?)(\d+)(?:\.(\d*))?$/;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
/** Unscaled values of at most 15 digits are exact as numbers (below 2^53); longer ones use BigInt. */
const MAX_NUMBER_DIGITS = 15;
const POWERS_OF_TEN = Array.from({ length: MAX_NUMBER_DIGITS + 1 }, (_, exponent) => 10 ** exponent);
/** SIGNED_LIMITS[n]: the values -limit..limit-1 fit in n bytes of two's complement. */
const SIGNED_LIMITS = [0, 2 ** 7, 2 ** 15, 2 ** 23, 2 ** 31, 2 ** 39, 2 ** 47];
const scratch = Buffer.alloc(32);

/** The general path of `unscaledOf`, for values with more digits than a number holds exactly. */
function unscaledOfLong(value: string, precision: number, scale: number): bigint | undefined {
  const match = DECIMAL_PATTERN.exec(value);
  if (match === null) return undefined;
  const [, sign, integerDigits = '', fractionDigits = ''] = match;
  if (fractionDigits.length > scale) return undefined;
  const integerPart = integerDigits.replace(/^0+(?=\d)/, '');
  if (integerPart.length + scale > precision) return undefined;
  const unscaled = BigInt(integerPart + fractionDigits.padEnd(scale, '0'));
  return sign === '-' ? -unscaled : unscaled;
}

/**
 * Unscaled integer of a decimal string at `scale` ("880.91" at scale 4 is 8809100), or undefined when the
 * string is not `-?digits[.digits]` with at most `scale` fraction digits and `precision` digits in all.
 * Never rounds. This runs once per encoded record, hence the single pass without regular expressions.
 */
export function unscaledOf(value: string, precision: number, scale: number): bigint | number | undefined {
  const negative = value.charCodeAt(0) === MINUS;
  let integerDigits = 0;
  let integerSignificant = 0;
  let fractionDigits = -1;
  let significant = 0;
  let unscaled = 0;
  for (let index = negative ? 1 : 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if (code === DOT) {
      if (fractionDigits >= 0 || integerDigits === 0) return undefined;
      fractionDigits = 0;
      continue;
    }
    const digit = code - ZERO;
    if (digit < 0 || digit > 9) return undefined;
    if (fractionDigits >= 0) {
      fractionDigits += 1;
      if (fractionDigits > scale) return undefined;
    } else {
      integerDigits += 1;
      if (integerSignificant > 0 || digit !== 0) integerSignificant += 1;
    }
    if (significant > 0 || digit !== 0) significant += 1;
    unscaled = unscaled * 10 + digit;
  }
  if (integerDigits === 0 || integerSignificant + scale > precision) return undefined;
  const padding = scale - Math.max(fractionDigits, 0);
  if (significant + padding > MAX_NUMBER_DIGITS) return unscaledOfLong(value, precision, scale);
  unscaled *= POWERS_OF_TEN[padding] as number;
  return negative && unscaled !== 0 ? -unscaled : unscaled;
}

/**
 * Writes the minimal two's-complement big-endian representation of `unscaled` (as Java's
 * `BigInteger.toByteArray()` does) into `target` at `offset`; returns the number of bytes written.
 */
function writeTwosComplement(unscaled: bigint | number, target: Buffer, offset: number): number {
  if (typeof unscaled === 'number') {
    for (let length = 1; length < SIGNED_LIMITS.length; length += 1) {
      const limit = SIGNED_LIMITS[length] as number;
      if (unscaled >= -limit && unscaled < limit) {
        target.writeIntBE(unscaled, offset, length);
        return length;
      }
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

/** Decimal string of the two's-complement integer in `buffer[offset, offset + length)`. */
function decimalAt(buffer: Buffer, offset: number, length: number, scale: number): string {
  let unscaled: bigint | number;
  if (length === 0) unscaled = 0;
  else if (length <= 6) unscaled = buffer.readIntBE(offset, length);
  else {
    let big = 0n;
    for (let index = offset; index < offset + length; index += 1)
      big = (big << 8n) | BigInt(buffer[index] as number);
    if ((buffer[offset] as number) & 0x80) big -= 1n << BigInt(8 * length);
    unscaled = big;
  }
  const negative = unscaled < 0;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const cut = digits.length - scale;
  const text = scale === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  return negative ? `-${text}` : text;
}

/** Decimal string with exactly `scale` fraction digits, e.g. "-0.0001", from two's-complement bytes. */
export function bytesToDecimal(bytes: Buffer, scale: number): string {
  return decimalAt(bytes, 0, bytes.length, scale);
}

/**
 * avsc logical type for `{"type": "bytes", "logicalType": "decimal", "precision": p, "scale": s}`.
 * Values are strings; reading and writing work in avsc's buffer, so a price costs no Buffer allocation.
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

  /** Hot path of decoding: the string straight from avsc's buffer, without slicing the bytes out. */
  _read(tap: Tap): string {
    const length = tap.readLong();
    const start = tap.pos;
    tap.pos += length;
    if (length < 0 || tap.pos > tap.buf.length) {
      tap.pos = tap.buf.length + 1; // marks the read as truncated, as avsc's own readers do
      return '';
    }
    return decimalAt(tap.buf, start, length, this.scale);
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
