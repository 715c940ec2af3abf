// The Merton jump term of the price model: off by default and then the old path exactly, reproducible for a
// seed, and with a rate the jumps arrive and are sized as the parameters say.
import { createHash } from 'node:crypto';
import { JumpDiffusionPrice, SeededRandom, TRADE_TIME_STEP_YEARS } from '../../../producers/price-model';
import { TradeSimulator, type Emission } from '../../../producers/trade-simulator';
import { UNIVERSE } from '../../../producers/universe';

const fixedClock = () => 1_767_225_600_000;

function take(simulator: TradeSimulator, n: number): Emission[] {
  return Array.from({ length: n }, () => simulator.next());
}

/**
 * Log returns of `steps` steps with no diffusion and no drift: nothing but the jump term. Each step starts a
 * fresh path from the shared generator (steps are independent), so a long run cannot drift to underflow.
 */
function jumpOnlyReturns(seed: number, rate: number, size: number, steps: number) {
  const random = new SeededRandom(seed);
  const returns: number[] = [];
  let jumped = 0;
  for (let i = 0; i < steps; i++) {
    const path = new JumpDiffusionPrice({ start: 100, volatility: 0, drift: 0, jumps: { rate, size } });
    path.step(random);
    returns.push(Math.log(path.current / 100));
    jumped += path.jumped;
  }
  return { returns, jumped };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

describe('price jumps off (rate 0)', () => {
  it('is geometric Brownian motion drawing one normal per step, as before jumps existed', () => {
    // The oracle: S·exp((μ − σ²/2)dt + σ√dt·Z) with Z from a twin generator. A rate-0 path that drew
    // anything more from the generator would fall out of step with it.
    const [sigma, mu, dt] = [0.4, 0.05, TRADE_TIME_STEP_YEARS];
    const random = new SeededRandom(11);
    const twin = new SeededRandom(11);
    const path = new JumpDiffusionPrice({
      start: 131.26,
      volatility: sigma,
      jumps: { rate: 0, size: 0.02 },
    });
    let expected = 131.26;
    for (let i = 0; i < 10_000; i++) {
      path.step(random);
      expected *= Math.exp((mu - (sigma * sigma) / 2) * dt + sigma * Math.sqrt(dt) * twin.normal());
      expect(path.current).toBe(expected);
    }
    expect(path.jumped).toBe(0);
    expect(random.next()).toBe(twin.next());
  });

  it('leaves the trade sequence of a seed exactly as it was', () => {
    // sha256 of these 5000 emissions as commit e41016a (before the jump term) produced them, except that a
    // late trade now carries the price of its own time (the random draws are unchanged).
    const emissions = take(
      new TradeSimulator({
        seed: 42,
        clock: fixedClock,
        dupRatio: 0.01,
        badRatio: 0.002,
        lateRatio: 0.01,
        jumps: { rate: 0, size: 0.02 },
      }),
      5000,
    );
    expect(createHash('sha256').update(JSON.stringify(emissions)).digest('hex')).toBe(
      'a50cfc4850e7a59fce0db65f73053bdef4b1f3c1f7cadb68c8dc81244d6a78f2',
    );
  });
});

describe('price jumps on', () => {
  it('are reproducible with the seed, and change the path', () => {
    const jumps = { rate: 0.01, size: 0.02 };
    const run = (seed: number, settings = jumps) =>
      take(new TradeSimulator({ seed, clock: fixedClock, jumps: settings }), 3000).map((e) => e.trade);
    expect(run(42)).toEqual(run(42));
    expect(run(42).map((t) => t.price)).not.toEqual(run(43).map((t) => t.price));
    expect(run(42).map((t) => t.price)).not.toEqual(run(42, { rate: 0, size: 0.02 }).map((t) => t.price));
  });

  it('arrive at the rate per step and have log sizes N(0, size²)', () => {
    const [rate, size, steps] = [0.02, 0.05, 200_000];
    const { returns, jumped } = jumpOnlyReturns(7, rate, size, steps);
    // With no diffusion, a step moves by the compensator −λk alone unless it jumped.
    const compensator = rate * Math.expm1((size * size) / 2);
    const moves = returns.map((r) => r + compensator).filter((r) => Math.abs(r) > 1e-12);

    // Steps with at least one arrival: Binomial(n, 1 − e^−λ); total arrivals: Poisson(nλ). 4 sd each.
    const p = 1 - Math.exp(-rate);
    expect(Math.abs(moves.length - steps * p)).toBeLessThan(4 * Math.sqrt(steps * p * (1 - p)));
    expect(Math.abs(jumped - steps * rate)).toBeLessThan(4 * Math.sqrt(steps * rate));

    // ~4000 jumps (a handful of steps hold two): mean 0, sd `size`, and the normal's shape.
    expect(Math.abs(mean(moves))).toBeLessThan((4 * size) / Math.sqrt(moves.length));
    expect(std(moves) / size).toBeGreaterThan(0.96);
    expect(std(moves) / size).toBeLessThan(1.04);
    const withinOneSd = moves.filter((m) => Math.abs(m) < size).length / moves.length;
    expect(withinOneSd).toBeGreaterThan(0.6827 - 0.03);
    expect(withinOneSd).toBeLessThan(0.6827 + 0.03);
    const beyondTwoSd = moves.filter((m) => Math.abs(m) > 2 * size).length / moves.length;
    expect(beyondTwoSd).toBeGreaterThan(0.0455 - 0.015);
    expect(beyondTwoSd).toBeLessThan(0.0455 + 0.015);
  });

  it('count several arrivals in one step as Poisson, and are compensated so they add no expected growth', () => {
    const [rate, size, steps] = [0.5, 0.2, 100_000];
    const { returns, jumped } = jumpOnlyReturns(3, rate, size, steps);
    const compensator = rate * Math.expm1((size * size) / 2);
    const still = returns.filter((r) => Math.abs(r + compensator) < 1e-12).length;
    expect(Math.abs(still / steps - Math.exp(-rate))).toBeLessThan(0.01);
    expect(Math.abs(jumped / steps - rate)).toBeLessThan(0.01);
    // E[e^r] = 1 with drift 0; without the −λk term it would be e^(λk) ≈ 1.0101.
    const growth = mean(returns.map((r) => Math.exp(r)));
    expect(Math.abs(growth - 1)).toBeLessThan(0.002);
  });

  it("keep prices positive and each symbol at its currency's level", () => {
    // An hour of up's default load (50 trades/s) with up's default jumps.
    const trades = take(
      new TradeSimulator({ seed: 5, clock: fixedClock, jumps: { rate: 0.0005, size: 0.02 } }),
      180_000,
    ).map((e) => e.trade);
    const last = new Map<string, number>();
    for (const trade of trades) last.set(trade.symbol, Number(trade.price));
    expect(trades.reduce((low, t) => Math.min(low, Number(t.price)), Infinity)).toBeGreaterThan(0);
    for (const instrument of UNIVERSE) {
      const ratio = last.get(instrument.symbol)! / instrument.price;
      expect(ratio).toBeGreaterThan(0.75);
      expect(ratio).toBeLessThan(1.25);
    }
  });

  it('refuses a negative or non-finite rate or size', () => {
    const make = (rate: number, size: number) =>
      new JumpDiffusionPrice({ start: 1, volatility: 0.2, jumps: { rate, size } });
    expect(() => make(-0.1, 0.02)).toThrow(RangeError);
    expect(() => make(Number.NaN, 0.02)).toThrow(RangeError);
    expect(() => make(0.1, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
