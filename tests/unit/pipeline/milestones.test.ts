// What `up` says while the lake fills: each milestone once and in order, the dashboard URL only once gold
// has rows, then now and then a status line with gold's freshness.
import { MilestoneWatcher, type LakeProgress } from '../../../local/pipeline/milestones';

function watcher(states: LakeProgress[]): { lines: string[]; watch: MilestoneWatcher } {
  const lines: string[] = [];
  let i = 0;
  const watch = new MilestoneWatcher({
    progress: async () => states[Math.min(i++, states.length - 1)]!,
    say: (line) => lines.push(line),
    dashboardUrl: 'http://127.0.0.1:3000/',
    startedAt: Date.now(),
    statusEvery: 2,
  });
  return { lines, watch };
}

const empty = { bronzeRows: 0, goldRows: 0, goldAgeSeconds: undefined };

test('bronze, then gold with the dashboard URL, each said once; then status lines with gold age', async () => {
  const { lines, watch } = watcher([
    empty,
    { bronzeRows: 120, goldRows: 0, goldAgeSeconds: undefined },
    { bronzeRows: 300, goldRows: 0, goldAgeSeconds: undefined },
    { bronzeRows: 500, goldRows: 7, goldAgeSeconds: 12.4 },
    { bronzeRows: 700, goldRows: 9, goldAgeSeconds: 8.6 },
    { bronzeRows: 900, goldRows: 11, goldAgeSeconds: 6.2 },
  ]);
  await watch.poll();
  expect(lines).toEqual([]);
  await watch.poll();
  await watch.poll();
  expect(lines).toEqual([
    expect.stringMatching(/^first bronze batch: 120 trades in bronze\.trades \(\d+ s after start\)$/),
  ]);
  await watch.poll();
  expect(lines.slice(1)).toEqual([
    expect.stringMatching(/^first gold rows: 7 in gold\.ohlcv_1m/),
    'dashboard: http://127.0.0.1:3000/',
    'press Ctrl-C to stop',
  ]);
  await watch.poll();
  await watch.poll();
  expect(lines.slice(4)).toEqual(['bronze.trades 900, gold.ohlcv_1m 11; gold is 6 s behind the market']);
});

test('gold and bronze in the same poll: bronze is still said first', async () => {
  const { lines, watch } = watcher([{ bronzeRows: 50, goldRows: 2, goldAgeSeconds: 30 }]);
  await watch.poll();
  expect(lines.map((line) => line.split(':')[0])).toEqual([
    'first bronze batch',
    'first gold rows',
    'dashboard',
    'press Ctrl-C to stop',
  ]);
});
