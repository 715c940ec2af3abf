// Ack-latency percentiles over a bounded reservoir sample, so a run of any length uses fixed memory.

const RESERVOIR_SIZE = 200_000;

export class LatencyRecorder {
  private readonly samples = new Float64Array(RESERVOIR_SIZE);
  private seen = 0;

  record(ms: number): void {
    if (this.seen < RESERVOIR_SIZE) {
      this.samples[this.seen] = ms;
    } else {
      const slot = Math.floor(Math.random() * (this.seen + 1));
      if (slot < RESERVOIR_SIZE) this.samples[slot] = ms;
    }
    this.seen++;
  }

  /** Nearest-rank percentile in ms (0 when nothing was recorded). */
  percentile(p: number): number {
    const n = Math.min(this.seen, RESERVOIR_SIZE);
    if (n === 0) return 0;
    const sorted = this.samples.slice(0, n).sort();
    const rank = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
    return sorted[rank]!;
  }
}
