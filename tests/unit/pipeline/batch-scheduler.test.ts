// The batch timer of `up`: runs in sequence, never overlapping, failures reported and retried on the next
// tick, and a stop that aborts the run in progress.
import { BatchScheduler, type BatchRunResult } from '../../../local/pipeline/batch-scheduler';

function collect(): {
  results: BatchRunResult[];
  wait: (n: number) => Promise<void>;
  onResult: (r: BatchRunResult) => void;
} {
  const results: BatchRunResult[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  return {
    results,
    onResult: (result) => {
      results.push(result);
      for (const w of waiters.filter((w) => results.length >= w.n)) w.resolve();
    },
    wait: (n) => new Promise((resolve) => (results.length >= n ? resolve() : waiters.push({ n, resolve }))),
  };
}

test('runs again and again, one at a time, and reports failures without stopping', async () => {
  const { results, wait, onResult } = collect();
  let running = 0;
  let maxRunning = 0;
  let calls = 0;
  const scheduler = new BatchScheduler({
    intervalMs: 1,
    runOnce: async () => {
      calls += 1;
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      if (calls === 2) throw new Error('gold exited with code 1');
    },
    onResult,
  });
  scheduler.start();
  await wait(3);
  await scheduler.stop();

  expect(maxRunning).toBe(1);
  expect(results.slice(0, 3).map((r) => [r.run, r.ok, r.failure])).toEqual([
    [1, true, undefined],
    [2, false, 'gold exited with code 1'],
    [3, true, undefined],
  ]);
});

test('stop aborts the run in progress and reports nothing for it', async () => {
  const { results, onResult } = collect();
  let entered!: () => void;
  const inRun = new Promise<void>((resolve) => (entered = resolve));
  let sawAbort = false;
  const scheduler = new BatchScheduler({
    intervalMs: 1,
    runOnce: (signal) =>
      new Promise<void>((_resolve, reject) => {
        entered();
        signal.addEventListener('abort', () => {
          sawAbort = true;
          reject(new Error('silver was stopped'));
        });
      }),
    onResult,
  });
  scheduler.start();
  await inRun;
  await scheduler.stop();

  expect(sawAbort).toBe(true);
  expect(results).toEqual([]);
});

test('stop before the first interval runs nothing', async () => {
  const runOnce = jest.fn(async () => undefined);
  const scheduler = new BatchScheduler({ intervalMs: 60_000, runOnce, onResult: () => undefined });
  scheduler.start();
  await scheduler.stop();
  expect(runOnce).not.toHaveBeenCalled();
});
