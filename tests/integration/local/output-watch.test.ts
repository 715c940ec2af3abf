// watchOutputClosed on real pipes: a process whose stdout reader goes away hears of it at once, without
// writing; while the reader is there nothing happens; and the watcher never outlives its process.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alive } from '../../support/processes';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

// Watches its own stdout, reports the watcher's pid, and says "closed" on stderr when the reader is gone.
const SCRIPT = `
const { watchOutputClosed } = require(process.cwd() + '/local/pipeline/output-watch.ts');
const watch = watchOutputClosed({ onClosed: () => { process.stderr.write('closed\\n'); process.exit(0); } });
process.stderr.write('watcher ' + watch.pid + '\\n');
setInterval(() => undefined, 1000);
`;

let scriptFile: string;
beforeAll(() => {
  scriptFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'output-watch-')), 'watch.js');
  writeFileSync(scriptFile, SCRIPT);
});
afterAll(() => rmSync(path.dirname(scriptFile), { recursive: true, force: true }));

function start(shell: boolean): ChildProcess {
  const options: SpawnOptions = { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] };
  // through a shell, stdout is a real pipe (FIFO) to cat, as with `streamsoft up | tee`
  return shell
    ? spawn('sh', ['-c', `"${process.execPath}" -r tsx/cjs "${scriptFile}" | cat`], options)
    : spawn(process.execPath, ['-r', 'tsx/cjs', scriptFile], options);
}

function stderrOf(child: ChildProcess): { text: () => string } {
  let text = '';
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { text: () => text };
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

jest.setTimeout(60_000);

test('a socket-pair stdout whose reader closes: onClosed fires within seconds, with nothing written', async () => {
  const child = start(false);
  const err = stderrOf(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await until(() => /watcher \d+/.test(err.text()), 20_000, 'the watcher');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(err.text()).not.toContain('closed'); // the reader is still there
  const closedAt = Date.now();
  child.stdout!.destroy();
  expect(await exited).toBe(0);
  expect(err.text()).toContain('closed');
  expect(Date.now() - closedAt).toBeLessThan(5_000);
});

test('a shell pipe (FIFO) whose reader dies: onClosed fires; a killed process leaves no watcher', async () => {
  const piped = start(true);
  const err = stderrOf(piped);
  await until(() => /watcher \d+/.test(err.text()), 20_000, 'the watcher');
  // `cat` is the reader: kill it, and the node process must hear of it
  const cat = spawn('pkill', ['-f', '-x', 'cat', '-P', String(piped.pid)]);
  await new Promise((resolve) => cat.once('exit', resolve));
  await until(() => err.text().includes('closed'), 5_000, 'onClosed after the reader died');
  piped.kill();

  const killed = start(false);
  const killedErr = stderrOf(killed);
  await until(() => /watcher \d+/.test(killedErr.text()), 20_000, 'the watcher');
  const watcher = Number(/watcher (\d+)/.exec(killedErr.text())![1]);
  expect(alive(watcher)).toBe(true);
  killed.kill('SIGKILL');
  await until(() => !alive(watcher), 5_000, 'the watcher to end with its process');
});
