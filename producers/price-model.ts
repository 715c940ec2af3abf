// Seeded randomness and the per-symbol price process: geometric Brownian motion with optional Merton jumps,
// quoted as exact scale-4 decimal strings (money is never formatted from a float).

/** A small, fast, seedable PRNG (sfc32) returning floats in [0, 1); same seed, same sequence. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    // splitmix32 spreads any integer seed over the four state words.
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t / 4294967296;
  }

  /** 32 random bits as an unsigned integer. */
  uint32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }

  /** A random (version 4) UUID drawn from this generator, so it repeats with the seed. */
  uuid(): string {
    const hex = (n: number): string => n.toString(16).padStart(8, '0');
    const a = hex(this.uint32());
    const b = hex(((this.uint32() & 0xffff0fff) | 0x00004000) >>> 0);
    const c = hex(((this.uint32() & 0x3fffffff) | 0x80000000) >>> 0);
    const d = hex(this.uint32());
    return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Standard normal variate (Box–Muller, the second value kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Index drawn with probability proportional to its weight. */
  weighted(cumulativeWeights: readonly number[]): number {
    const total = cumulativeWeights[cumulativeWeights.length - 1] ?? 0;
    const target = this.next() * total;
    let lo = 0;
    let hi = cumulativeWeights.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulativeWeights[mid] ?? 0) > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

export const PRICE_SCALE = 4;
const TICKS_PER_UNIT = 10 ** PRICE_SCALE;

/** Rounds a positive price to an integer number of 0.0001 ticks (at least one tick). */
export function toTicks(price: number): number {
  return Math.max(1, Math.round(price * TICKS_PER_UNIT));
}

/** Formats integer ticks as a decimal string with exactly 4 fraction digits: 12345 → "1.2345". */
export function formatTicks(ticks: number): string {
  if (!Number.isSafeInteger(ticks) || ticks < 0) throw new RangeError(`not a tick count: ${ticks}`);
  const units = Math.floor(ticks / TICKS_PER_UNIT);
  const fraction = ticks - units * TICKS_PER_UNIT;
  return `${units}.${String(fraction).padStart(PRICE_SCALE, '0')}`;
}

/** One trading second, in years (252 sessions of 6.5 hours): the time step of one trade. */
export const TRADE_TIME_STEP_YEARS = 1 / (252 * 6.5 * 3600);

/**
 * Merton's jump term. Jumps arrive as a Poisson process on the model's own clock, one step per trade of
 * the symbol (so a path depends on the seed alone, never on how fast the producer runs): `rate` is the
 * expected number of jumps per trade of a symbol. A jump multiplies the price by e^Y, Y ~ N(0, size²).
 */
export interface JumpSettings {
  /** λ: expected jumps per step (per trade of the symbol); 0 turns jumps off. */
  rate: number;
  /** σJ: standard deviation of the log jump Y. */
  size: number;
}

export const NO_JUMPS: JumpSettings = { rate: 0, size: 0 };

export interface PricePathOptions {
  /** Starting price, in the instrument's currency; must be positive. */
  start: number;
  /** Annualised volatility σ of the diffusion. */
  volatility: number;
  /** Annualised drift μ: the expected growth, jumps included. */
  drift?: number;
  /** Years per step. */
  dt?: number;
  jumps?: JumpSettings;
}

/**
 * Merton jump diffusion for one symbol: per step
 *   S(t+dt) = S(t)·exp((μ − σ²/2)dt − λk + σ√dt·Z + Y₁ + … + Y_N),  N ~ Poisson(λ), Yᵢ ~ N(0, σJ²),
 * with k = E[e^Y − 1] = e^(σJ²/2) − 1, so jumps add variance but not expected growth. Without jumps it is
 * geometric Brownian motion and draws exactly what it always drew from the generator. The float state
 * carries the path (always positive: it only ever multiplies by an exponential); each quote is rounded to
 * whole ticks so the emitted price is exact.
 */
export class JumpDiffusionPrice {
  private value: number;
  private readonly volatility: number;
  private readonly drift: number;
  private readonly dt: number;
  private readonly jumps: JumpSettings;
  private readonly jumpCompensator: number;
  private jumpCount = 0;

  constructor(options: PricePathOptions) {
    const { start, volatility, drift = 0.05, dt = TRADE_TIME_STEP_YEARS, jumps = NO_JUMPS } = options;
    if (!(start > 0)) throw new RangeError(`start price must be positive, got ${start}`);
    if (!(jumps.rate >= 0 && Number.isFinite(jumps.rate))) {
      throw new RangeError(`jump rate must be a finite number at least 0, got ${jumps.rate}`);
    }
    if (!(jumps.size >= 0 && Number.isFinite(jumps.size))) {
      throw new RangeError(`jump size must be a finite number at least 0, got ${jumps.size}`);
    }
    this.value = start;
    this.volatility = volatility;
    this.drift = drift;
    this.dt = dt;
    this.jumps = jumps;
    this.jumpCompensator = jumps.rate * Math.expm1((jumps.size * jumps.size) / 2);
  }

  get current(): number {
    return this.value;
  }

  /** Jumps so far on this path. */
  get jumped(): number {
    return this.jumpCount;
  }

  /** Advances one step and returns the new price in ticks. */
  step(random: SeededRandom): number {
    const sigma = this.volatility;
    let exponent =
      (this.drift - (sigma * sigma) / 2) * this.dt + sigma * Math.sqrt(this.dt) * random.normal();
    if (this.jumps.rate > 0) {
      const arrivals = poisson(random, this.jumps.rate);
      for (let i = 0; i < arrivals; i++) exponent += this.jumps.size * random.normal();
      exponent -= this.jumpCompensator;
      this.jumpCount += arrivals;
    }
    this.value *= Math.exp(exponent);
    return toTicks(this.value);
  }
}

/** A Poisson(mean) count from one uniform, by inverting the CDF (mean is small: a step's jump intensity). */
function poisson(random: SeededRandom, mean: number): number {
  const u = random.next();
  let k = 0;
  let p = Math.exp(-mean);
  let cumulative = p;
  while (u >= cumulative && p > 0) {
    k++;
    p *= mean / k;
    cumulative += p;
  }
  return k;
}
