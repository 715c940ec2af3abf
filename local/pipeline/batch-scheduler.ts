// Runs the batch jobs on a timer, like the Glue workflow does in AWS: silver, then gold once silver has
// succeeded. Runs never overlap; a run that fails is reported and the next tick tries again.
import { setTimeout as sleep } from 'node:timers/promises';

export interface BatchRunResult {
  run: number;
  ok: boolean;
  durationMs: number;
  /** Which job failed, and why, when !ok. */
  failure?: string;
}

export interface BatchSchedulerOptions {
  intervalMs: number;
  /** One silver-then-gold run; rejects (or resolves a failure) when a job fails. Aborted on stop. */
  runOnce: (signal: AbortSignal) => Promise<void>;
  onResult: (result: BatchRunResult) => void;
}

export class BatchScheduler {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: BatchSchedulerOptions) {}

  /** Starts the loop: the first run after one interval (bronze has data by then), then every interval. */
  start(): void {
    this.loop ??= this.runLoop();
  }

  /** Aborts a run in progress and waits for the loop to end. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async runLoop(): Promise<void> {
    const signal = this.stopping.signal;
    for (let run = 1; !signal.aborted; run += 1) {
      try {
        await sleep(this.options.intervalMs, undefined, { signal });
      } catch {
        return; // stopped while waiting
      }
      const started = Date.now();
      try {
        await this.options.runOnce(signal);
        if (signal.aborted) return;
        this.options.onResult({ run, ok: true, durationMs: Date.now() - started });
      } catch (error) {
        if (signal.aborted) return;
        const failure = error instanceof Error ? error.message : String(error);
        this.options.onResult({ run, ok: false, durationMs: Date.now() - started, failure });
      }
    }
  }
}
