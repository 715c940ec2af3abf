// What `up` tells the person who started it while the pipeline runs: the first bronze rows, the first gold
// rows (then the dashboard URL: its charts have something to show), and a status line with gold's
// freshness, all read through the same DuckDB views the dashboard uses.
import type { LocalLake } from '../../lake/local-lake';
import { lakeTable } from '../../lake/tables';

const BRONZE = lakeTable('bronze.trades').name;
const GOLD = lakeTable('gold.ohlcv_1m').name;

export interface LakeProgress {
  bronzeRows: number;
  goldRows: number;
  /** Seconds between now and the newest trade gold shows (undefined while gold is empty). */
  goldAgeSeconds: number | undefined;
}

export async function lakeProgress(lake: LocalLake, now = Date.now()): Promise<LakeProgress> {
  await lake.refresh();
  const tables = lake.tables();
  const count = async (table: string): Promise<number> =>
    tables.includes(table)
      ? Number((await lake.query(`SELECT count(*) FROM ${table}`)).rows[0]?.[0] ?? 0)
      : 0;
  const bronzeRows = await count(BRONZE);
  const goldRows = await count(GOLD);
  let goldAgeSeconds: number | undefined;
  if (goldRows > 0) {
    const newest = (await lake.query(`SELECT epoch_ms(max(last_trade_at)) FROM ${GOLD}`)).rows[0]?.[0];
    if (newest !== null && newest !== undefined) goldAgeSeconds = (now - Number(newest)) / 1000;
  }
  return { bronzeRows, goldRows, goldAgeSeconds };
}

export interface MilestoneOptions {
  /** Where the lake stands now (`lakeProgress` over the dashboard's views). */
  progress: () => Promise<LakeProgress>;
  say: (line: string) => void;
  dashboardUrl: string;
  startedAt: number;
  pollMs?: number;
  /** A status line every this many polls after the first gold rows. */
  statusEvery?: number;
  onError?: (error: unknown) => void;
}

/** Polls the lake until stopped, saying each milestone once and gold's freshness now and then. */
export class MilestoneWatcher {
  private timer: NodeJS.Timeout | undefined;
  private polls = 0;
  private sawBronze = false;
  private sawGold = false;
  private busy: Promise<void> = Promise.resolve();

  constructor(private readonly options: MilestoneOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      this.busy = this.poll().catch((error: unknown) => this.options.onError?.(error));
    }, this.options.pollMs ?? 3_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.busy;
  }

  private since(): string {
    return `${((Date.now() - this.options.startedAt) / 1000).toFixed(0)} s after start`;
  }

  async poll(): Promise<void> {
    const progress = await this.options.progress();
    const say = this.options.say;
    if (!this.sawBronze && progress.bronzeRows > 0) {
      this.sawBronze = true;
      say(`first bronze batch: ${progress.bronzeRows} trades in ${BRONZE} (${this.since()})`);
    }
    if (!this.sawGold && progress.goldRows > 0) {
      this.sawGold = true;
      say(`first gold rows: ${progress.goldRows} in ${GOLD} (${this.since()})`);
      say(`dashboard: ${this.options.dashboardUrl}`);
      say('press Ctrl-C to stop');
      return;
    }
    if (!this.sawGold) return;
    this.polls += 1; // polls since the first gold rows
    if (this.polls % (this.options.statusEvery ?? 10) === 0) {
      const age = progress.goldAgeSeconds === undefined ? '?' : progress.goldAgeSeconds.toFixed(0);
      say(
        `${BRONZE} ${progress.bronzeRows}, ${GOLD} ${progress.goldRows}; gold is ${age} s behind the market`,
      );
    }
  }
}
