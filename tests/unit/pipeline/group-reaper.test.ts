// up's reaper with real processes: when the process that registered a group dies by SIGKILL (its end of
// the pipe closes), the group is stopped within 15 s; after `done`, nothing is touched.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../../core/paths';
import { alive } from '../../support/processes';

const REAPER = path.join(REPO_ROOT, 'local', 'pipeline', 'group-reaper.cjs');

async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 100));
  return pids.filter(alive);
}

/** A stand-in for `up`: starts the reaper and one detached group, registers it, says `done` if asked. */
function fakeUp(sayDone: boolean): Promise<{ up: ReturnType<typeof spawn>; reaper: number; group: number }> {
  const script = `
    const { spawn } = require('node:child_process');
    const reaper = spawn(process.execPath, [${JSON.stringify(REAPER)}, '2000'], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    const group = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    reaper.stdin.write(group.pid + '\\n');
    ${sayDone ? "reaper.stdin.end('done\\n');" : ''}
    console.log(reaper.pid + ' ' + group.pid);
    setInterval(() => undefined, 1000);
  `;
  const up = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    up.stdout!.once('data', (chunk: Buffer) => {
      const [reaper, group] = chunk.toString().trim().split(' ').map(Number);
      resolve({ up, reaper: reaper!, group: group! });
    });
  });
}

test('SIGKILL of the registering process: the reaper stops the group, then exits', async () => {
  const { up, reaper, group } = await fakeUp(false);
  expect(alive(group)).toBe(true);
  up.kill('SIGKILL');
  expect(await waitGone([group, reaper], 15_000)).toEqual([]);
});

test('after done, the reaper exits and leaves the group alone', async () => {
  const { up, reaper, group } = await fakeUp(true);
  try {
    expect(await waitGone([reaper], 15_000)).toEqual([]);
    up.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    expect(alive(group)).toBe(true);
  } finally {
    process.kill(-group, 'SIGKILL');
  }
});
