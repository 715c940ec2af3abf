// The decimal logical type: exact string <-> two's-complement bytes, checked against a BigInt reference.
import { bytesToDecimal, decimalToBytes, unscaledOf } from '../../../connectors/serde/decimal';

/** Reference encoding: minimal two's complement of the unscaled value, computed the slow obvious way. */
function referenceBytes(decimal: string, scale: number): Buffer {
  const [integer = '0', fraction = ''] = decimal.replace('-', '').split('.');
  let unscaled = BigInt(integer + fraction.padEnd(scale, '0'));
  if (decimal.startsWith('-')) unscaled = -unscaled;
  for (let length = 1; ; length += 1) {
    const bits = BigInt(8 * length);
    const min = -(1n << (bits - 1n));
    const max = (1n << (bits - 1n)) - 1n;
    if (unscaled >= min && unscaled <= max) {
      const twos = unscaled < 0n ? (1n << bits) + unscaled : unscaled;
      return Buffer.from(twos.toString(16).padStart(2 * length, '0'), 'hex');
    }
  }
}

const EXACT = [
  '880.9100',
  '0.0001',
  '99999999999999.9999',
  '-99999999999999.9999',
  '-0.0001',
  '0.0000',
  '-37.6300',
  '0.0127',
  '0.0128',
  '-0.0128',
  '-0.0129',
  '3.2767',
  '3.2768',
  '140737488355.3279',
  '140737488355.3280',
  '-140737488355.3280',
  '-140737488355.3281',
  '922337203685.4775',
  '12345678901234.5678',
];

describe('decimal(18,4)', () => {
  it.each(EXACT)('round-trips %s exactly through the reference bytes', (value) => {
    const bytes = decimalToBytes(value, 18, 4);
    expect(bytes?.toString('hex')).toBe(referenceBytes(value, 4).toString('hex'));
    expect(bytesToDecimal(referenceBytes(value, 4), 4)).toBe(value);
  });

  it('pads fewer fraction digits to the scale and drops leading zeros', () => {
    expect(bytesToDecimal(decimalToBytes('880.91', 18, 4) as Buffer, 4)).toBe('880.9100');
    expect(bytesToDecimal(decimalToBytes('007', 18, 4) as Buffer, 4)).toBe('7.0000');
    expect(bytesToDecimal(decimalToBytes('-0', 18, 4) as Buffer, 4)).toBe('0.0000');
  });

  it.each(['1.00001', '100000000000000.0000', '', 'abc', '1e5', '+1.0', '1,5', ' 1.0', '.5', 'NaN'])(
    'rejects %j instead of rounding or guessing',
    (value) => {
      expect(unscaledOf(value, 18, 4)).toBeUndefined();
      expect(decimalToBytes(value, 18, 4)).toBeUndefined();
    },
  );

  it('decodes empty bytes as zero and long byte strings with BigInt', () => {
    expect(bytesToDecimal(Buffer.alloc(0), 4)).toBe('0.0000');
    expect(bytesToDecimal(Buffer.from('ff'.repeat(12), 'hex'), 4)).toBe('-0.0001');
    expect(bytesToDecimal(Buffer.from('00' + 'ff'.repeat(11), 'hex'), 2)).toBe(
      `${((1n << 88n) - 1n) / 100n}.${((1n << 88n) - 1n) % 100n}`,
    );
  });

  it('agrees with the reference on random decimals of every length up to 18 digits', () => {
    let seed = 12345;
    const random = (below: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * below);
    };
    for (let round = 0; round < 5000; round += 1) {
      const integerLength = 1 + random(14);
      const fractionLength = random(5);
      const integer = Array.from({ length: integerLength }, () => random(10)).join('');
      const fraction = Array.from({ length: fractionLength }, () => random(10)).join('');
      const value = `${random(2) === 0 ? '-' : ''}${integer}${fractionLength > 0 ? `.${fraction}` : ''}`;
      const canonical = referenceBytes(value, 4);
      expect(decimalToBytes(value, 18, 4)?.toString('hex')).toBe(canonical.toString('hex'));
      const decoded = bytesToDecimal(canonical, 4);
      expect(decimalToBytes(decoded, 18, 4)?.toString('hex')).toBe(canonical.toString('hex'));
    }
  });

  it('supports other scales', () => {
    expect(bytesToDecimal(decimalToBytes('12.5', 5, 1) as Buffer, 1)).toBe('12.5');
    expect(bytesToDecimal(decimalToBytes('42', 5, 0) as Buffer, 0)).toBe('42');
    expect(decimalToBytes('123456', 5, 0)).toBeUndefined();
  });
});
