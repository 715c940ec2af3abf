// TradeSimulator: a deterministic (for a seed) stream of realistic trades with optional injected faults
// for testing downstream. It knows nothing of Avro or transports; it only says what to emit.
import { Faker, base, en } from '@faker-js/faker';
import type { Trade } from '../schemas/trade';
import { BROKERS, UNIVERSE, type Instrument } from './universe';
import {
  JumpDiffusionPrice,
  NO_JUMPS,
  SeededRandom,
  formatTicks,
  toTicks,
  type JumpSettings,
} from './price-model';

/** How a bad emission must be corrupted once it is framed: each is undecodable in its own way. */
export type Corruption = 'bad-magic' | 'unknown-schema-id' | 'truncated';
export const CORRUPTIONS: readonly Corruption[] = ['bad-magic', 'unknown-schema-id', 'truncated'];

export type Emission =
  /** A new trade; `late` when its event time was pushed minutes into the past. */
  | { kind: 'trade'; seq: number; trade: Trade; late: boolean }
  /** An earlier trade sent again, same operation_id (as a producer retry or replay would). */
  | { kind: 'duplicate'; seq: number; trade: Trade; originalSeq: number }
  /** A trade whose framed bytes must be corrupted before sending. */
  | { kind: 'bad'; seq: number; trade: Trade; corruption: Corruption };

export interface FaultRatios {
  /** Share of emissions that resend an earlier trade. */
  dupRatio: number;
  /** Share of emissions that carry bytes which are not valid framed Avro. */
  badRatio: number;
  /** Share of new trades whose event time lies minutes in the past. */
  lateRatio: number;
}

export interface TradeSimulatorOptions extends Partial<FaultRatios> {
  seed: number;
  /** Event-time source (epoch ms); defaults to Date.now. */
  clock?: () => number;
  /** How many distinct traders place orders. */
  traderCount?: number;
  /** Share of trades that name a broker. */
  brokerRatio?: number;
  instruments?: readonly Instrument[];
  /** Price jumps, the same for every symbol (each symbol jumps on its own); none by default. */
  jumps?: JumpSettings;
}

const RECENT_TRADES_KEPT = 1000;
const LATE_MIN_MS = 2 * 60_000;
const LATE_MAX_MS = 30 * 60_000;

/**
 * One symbol's price per second over the lateness window. A late trade is reported now but happened
 * minutes ago, so it carries the price of its own time: the market's price then, not now (a late trade
 * priced at today's level would look like a price move in its old minute and raise false alerts).
 */
class PriceHistory {
  private readonly seconds: number[] = [];
  private readonly prices: string[] = [];

  record(at: number, price: string): void {
    const second = Math.floor(at / 1000);
    const last = this.seconds.length - 1;
    if (last >= 0 && this.seconds[last] === second) {
      this.prices[last] = price;
    } else if (last < 0 || this.seconds[last]! < second) {
      this.seconds.push(second);
      this.prices.push(price);
    }
    const oldest = second - Math.ceil(LATE_MAX_MS / 1000) - 1;
    let drop = 0;
    while (drop < this.seconds.length - 1 && this.seconds[drop]! < oldest) drop++;
    if (drop > 0) {
      this.seconds.splice(0, drop);
      this.prices.splice(0, drop);
    }
  }

  /** The last price recorded at or before `at`, or undefined when the history starts later. */
  at(at: number): string | undefined {
    const second = Math.floor(at / 1000);
    let [lo, hi] = [0, this.seconds.length - 1];
    let found: string | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.seconds[mid]! <= second) {
        found = this.prices[mid];
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}

export class TradeSimulator {
  private readonly random: SeededRandom;
  private readonly clock: () => number;
  private readonly instruments: readonly Instrument[];
  private readonly cumulativeWeights: number[];
  private readonly prices: JumpDiffusionPrice[];
  private readonly history: PriceHistory[];
  /** Each symbol's price before the first trade: a late trade from before the history has that. */
  private readonly startPrices: string[];
  private readonly traders: string[];
  private readonly faults: FaultRatios;
  private readonly brokerRatio: number;
  private readonly recent: Array<{ seq: number; trade: Trade }> = [];
  private seq = 0;

  constructor(options: TradeSimulatorOptions) {
    const { seed } = options;
    this.faults = {
      dupRatio: options.dupRatio ?? 0,
      badRatio: options.badRatio ?? 0,
      lateRatio: options.lateRatio ?? 0,
    };
    for (const [name, value] of Object.entries(this.faults)) {
      if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be within [0, 1], got ${value}`);
    }
    if (this.faults.dupRatio + this.faults.badRatio > 1) {
      throw new RangeError('dupRatio + badRatio must not exceed 1');
    }
    this.random = new SeededRandom(seed);
    const faker = new Faker({ locale: [en, base] });
    faker.seed(seed);
    this.clock = options.clock ?? Date.now;
    this.brokerRatio = options.brokerRatio ?? 0.7;
    this.instruments = options.instruments ?? UNIVERSE;
    let total = 0;
    this.cumulativeWeights = this.instruments.map((instrument) => (total += instrument.weight));
    const jumps = options.jumps ?? NO_JUMPS;
    this.prices = this.instruments.map(
      (i) => new JumpDiffusionPrice({ start: i.price, volatility: i.volatility, jumps }),
    );
    this.history = this.instruments.map(() => new PriceHistory());
    this.startPrices = this.instruments.map((i) => formatTicks(toTicks(i.price)));
    this.traders = Array.from({ length: options.traderCount ?? 250 }, () => faker.person.fullName());
  }

  /** Number of emissions so far. */
  get emitted(): number {
    return this.seq;
  }

  next(): Emission {
    const seq = this.seq++;
    const roll = this.random.next();
    if (roll < this.faults.dupRatio && this.recent.length > 0) {
      const original = this.recent[this.random.int(0, this.recent.length - 1)]!;
      return { kind: 'duplicate', seq, trade: original.trade, originalSeq: original.seq };
    }
    if (roll < this.faults.dupRatio + this.faults.badRatio) {
      const corruption = CORRUPTIONS[this.random.int(0, CORRUPTIONS.length - 1)]!;
      return { kind: 'bad', seq, trade: this.newTrade(false), corruption };
    }
    const late = this.random.next() < this.faults.lateRatio;
    const trade = this.newTrade(late);
    this.remember(seq, trade);
    return { kind: 'trade', seq, trade, late };
  }

  private newTrade(late: boolean): Trade {
    const index = this.random.weighted(this.cumulativeWeights);
    const instrument = this.instruments[index]!;
    const ticks = this.prices[index]!.step(this.random);
    const now = this.clock();
    const current = formatTicks(ticks);
    this.history[index]!.record(now, current);
    const timestamp = late ? now - this.random.int(LATE_MIN_MS, LATE_MAX_MS) : now;
    const price = late ? (this.history[index]!.at(timestamp) ?? this.startPrices[index]!) : current;
    const broker =
      this.random.next() < this.brokerRatio ? BROKERS[this.random.int(0, BROKERS.length - 1)]! : null;
    return {
      operation_id: this.random.uuid(),
      person_name: this.traders[this.random.int(0, this.traders.length - 1)]!,
      symbol: instrument.symbol,
      timestamp,
      exchange: instrument.exchange.code,
      currency: instrument.exchange.currency,
      price,
      operation: this.random.next() < 0.5 ? 'purchase' : 'sale',
      quantity: instrument.exchange.lotSize * this.lots(),
      broker,
    };
  }

  /** Lots per order: most orders are small, a few are block-sized (a discretised log-normal). */
  private lots(): number {
    return Math.max(1, Math.min(10_000, Math.round(Math.exp(1.2 + 1.1 * this.random.normal()))));
  }

  private remember(seq: number, trade: Trade): void {
    if (this.recent.length < RECENT_TRADES_KEPT) this.recent.push({ seq, trade });
    else this.recent[seq % RECENT_TRADES_KEPT] = { seq, trade };
  }
}
