import { TradeSimulator, type Emission } from '../../../producers/trade-simulator';
import { JumpDiffusionPrice, SeededRandom, formatTicks, toTicks } from '../../../producers/price-model';
import { UNIVERSE, EXCHANGES } from '../../../producers/universe';
import { corruptFrame, UNKNOWN_SCHEMA_ID } from '../../../producers/faults';

const fixedClock = () => 1_767_225_600_000;

function take(simulator: TradeSimulator, n: number): Emission[] {
  return Array.from({ length: n }, () => simulator.next());
}

describe('TradeSimulator', () => {
  it('emits the same trades for the same seed and different ones for another seed', () => {
    const a = take(
      new TradeSimulator({ seed: 42, clock: fixedClock, dupRatio: 0.1, badRatio: 0.1, lateRatio: 0.1 }),
      500,
    );
    const b = take(
      new TradeSimulator({ seed: 42, clock: fixedClock, dupRatio: 0.1, badRatio: 0.1, lateRatio: 0.1 }),
      500,
    );
    const c = take(
      new TradeSimulator({ seed: 43, clock: fixedClock, dupRatio: 0.1, badRatio: 0.1, lateRatio: 0.1 }),
      500,
    );
    expect(b).toEqual(a);
    expect(c.map((e) => e.trade.operation_id)).not.toEqual(a.map((e) => e.trade.operation_id));
  });

  it('produces well-formed trades consistent with the universe', () => {
    const bySymbol = new Map(UNIVERSE.map((i) => [i.symbol, i]));
    const emissions = take(new TradeSimulator({ seed: 7, clock: fixedClock }), 5000);
    const ids = new Set<string>();
    const operations = new Set<string>();
    let withBroker = 0;
    for (const { kind, trade } of emissions) {
      expect(kind).toBe('trade');
      const instrument = bySymbol.get(trade.symbol)!;
      expect(instrument).toBeDefined();
      expect(trade.exchange).toBe(instrument.exchange.code);
      expect(trade.currency).toBe(instrument.exchange.currency);
      expect(trade.price).toMatch(/^\d+\.\d{4}$/);
      expect(trade.operation_id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(trade.person_name).toMatch(/\S+ \S+/);
      expect(trade.timestamp).toBe(fixedClock());
      expect(Number.isInteger(trade.quantity) && trade.quantity > 0).toBe(true);
      expect(trade.quantity % instrument.exchange.lotSize).toBe(0);
      ids.add(trade.operation_id);
      operations.add(trade.operation);
      if (trade.broker !== null) withBroker++;
    }
    expect(ids.size).toBe(emissions.length);
    expect([...operations].sort()).toEqual(['purchase', 'sale']);
    expect(withBroker).toBeGreaterThan(0);
    expect(withBroker).toBeLessThan(emissions.length);
    expect(new Set(emissions.map((e) => e.trade.symbol)).size).toBe(UNIVERSE.length);
  });

  it('lists every exchange in its own currency', () => {
    expect(EXCHANGES.NYSE.currency).toBe('USD');
    expect(EXCHANGES.LSE.currency).toBe('GBP');
    expect(EXCHANGES.Euronext.currency).toBe('EUR');
    expect(EXCHANGES.JPX.currency).toBe('JPY');
    expect(EXCHANGES.HKEX.currency).toBe('HKD');
    expect(EXCHANGES.SSE.currency).toBe('CNY');
    expect(UNIVERSE.length).toBeGreaterThanOrEqual(40);
  });

  it('injects duplicates, bad records and late trades at about the requested ratios', () => {
    const n = 20_000;
    const emissions = take(
      new TradeSimulator({ seed: 1, clock: fixedClock, dupRatio: 0.05, badRatio: 0.03, lateRatio: 0.1 }),
      n,
    );
    const seen = new Map<string, number>();
    let duplicates = 0;
    let bad = 0;
    let late = 0;
    for (const emission of emissions) {
      if (emission.kind === 'duplicate') {
        duplicates++;
        expect(seen.get(emission.trade.operation_id)).toBe(emission.originalSeq);
      } else if (emission.kind === 'bad') {
        bad++;
      } else {
        seen.set(emission.trade.operation_id, emission.seq);
        if (emission.late) {
          late++;
          const behind = fixedClock() - emission.trade.timestamp;
          expect(behind).toBeGreaterThanOrEqual(2 * 60_000);
          expect(behind).toBeLessThanOrEqual(30 * 60_000);
        } else {
          expect(emission.trade.timestamp).toBe(fixedClock());
        }
      }
    }
    expect(duplicates / n).toBeCloseTo(0.05, 1);
    expect(bad / n).toBeCloseTo(0.03, 1);
    expect(late / (n - duplicates - bad)).toBeCloseTo(0.1, 1);
  });

  it('prices a late trade at its own time, not at the time it is sent', () => {
    // One symbol, big frequent jumps, one emission a second: the price moves a lot within the lateness
    // window, so a late trade priced at the moment it is sent would sit far from its own minute's trades.
    let now = 1_767_225_600_000;
    const simulator = new TradeSimulator({
      seed: 3,
      clock: () => (now += 1000),
      lateRatio: 0.2,
      instruments: [UNIVERSE[0]!],
      jumps: { rate: 0.05, size: 0.3 },
    });
    const onTime: { at: number; price: number }[] = [];
    const late: { at: number; sentAt: number; price: number }[] = [];
    for (let i = 0; i < 4000; i++) {
      const emission = simulator.next();
      if (emission.kind !== 'trade') continue;
      const entry = { at: emission.trade.timestamp, price: Number(emission.trade.price) };
      if (emission.late) late.push({ ...entry, sentAt: now });
      else onTime.push(entry);
    }
    const priceAt = (at: number): number | undefined => onTime.filter((t) => t.at <= at).at(-1)?.price;
    let checked = 0;
    let farFromSendTime = 0;
    for (const trade of late) {
      const before = priceAt(trade.at);
      const after = onTime.find((t) => t.at > trade.at)?.price;
      if (before === undefined || after === undefined) continue;
      checked++;
      // Between the on-time trades around its timestamp (one second apart, give or take one step).
      const [low, high] = [Math.min(before, after), Math.max(before, after)];
      expect(trade.price).toBeGreaterThanOrEqual(low * 0.9);
      expect(trade.price).toBeLessThanOrEqual(high * 1.1);
      const sendTimePrice = priceAt(trade.sentAt)!;
      if (Math.abs(sendTimePrice / trade.price - 1) > 0.2) farFromSendTime++;
    }
    expect(checked).toBeGreaterThan(500);
    // The check means something: for many late trades the price when sent was far from the price then.
    expect(farFromSendTime).toBeGreaterThan(checked / 10);
  });

  it('rejects ratios outside [0, 1]', () => {
    expect(() => new TradeSimulator({ seed: 1, dupRatio: -0.1 })).toThrow(RangeError);
    expect(() => new TradeSimulator({ seed: 1, badRatio: 0.6, dupRatio: 0.6 })).toThrow(RangeError);
  });
});

describe('price model', () => {
  it('formats ticks exactly with four fraction digits', () => {
    expect(formatTicks(1)).toBe('0.0001');
    expect(formatTicks(8809100)).toBe('880.9100');
    expect(formatTicks(toTicks(0.1 + 0.2))).toBe('0.3000');
    expect(formatTicks(toTicks(1.00005))).toBe('1.0001');
    expect(formatTicks(toTicks(123456789.12345))).toBe('123456789.1235');
  });

  it('follows a geometric Brownian motion: log returns centred, with the configured volatility', () => {
    const random = new SeededRandom(99);
    const dt = 1 / 252;
    const sigma = 0.3;
    const gbm = new JumpDiffusionPrice({ start: 100, volatility: sigma, drift: 0, dt });
    const returns: number[] = [];
    let previous = gbm.current;
    for (let i = 0; i < 20_000; i++) {
      gbm.step(random);
      returns.push(Math.log(gbm.current / previous));
      previous = gbm.current;
    }
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const variance = returns.reduce((a, b) => a + (b - mean) ** 2, 0) / (returns.length - 1);
    expect(Math.sqrt(variance / dt)).toBeCloseTo(sigma, 1);
    expect(Math.abs(mean - (-(sigma * sigma) / 2) * dt)).toBeLessThan(
      4 * Math.sqrt(variance / returns.length),
    );
    // Successive returns are independent: a random walk, not mean-reverting noise around a level.
    let lagCov = 0;
    for (let i = 1; i < returns.length; i++) lagCov += (returns[i]! - mean) * (returns[i - 1]! - mean);
    expect(Math.abs(lagCov / (returns.length - 1) / variance)).toBeLessThan(0.05);
  });

  it('moves each symbol by small steps from its starting price', () => {
    const simulator = new TradeSimulator({ seed: 5, clock: fixedClock });
    const last = new Map<string, number>();
    for (const { trade } of take(simulator, 5000)) {
      const price = Number(trade.price);
      const previous = last.get(trade.symbol) ?? UNIVERSE.find((i) => i.symbol === trade.symbol)!.price;
      expect(Math.abs(Math.log(price / previous))).toBeLessThan(0.01);
      last.set(trade.symbol, price);
    }
  });
});

describe('corruptFrame', () => {
  const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, 7]), Buffer.alloc(80, 0x41)]);

  it('breaks the magic byte, the schema id or the body', () => {
    expect(corruptFrame(framed, 'bad-magic', 3)[0]).not.toBe(0);
    const unknown = corruptFrame(framed, 'unknown-schema-id', 3);
    expect(unknown[0]).toBe(0);
    expect(unknown.readUInt32BE(1)).toBeGreaterThanOrEqual(UNKNOWN_SCHEMA_ID);
    for (let seq = 0; seq < 50; seq++) {
      const truncated = corruptFrame(framed, 'truncated', seq);
      expect(truncated.length).toBeGreaterThanOrEqual(5);
      expect(truncated.length).toBeLessThan(5 + 37);
    }
    expect(framed[0]).toBe(0);
  });
});
