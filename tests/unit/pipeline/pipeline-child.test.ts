// Children of `up`: a polite signal first, then the whole process group, so nothing they spawned survives.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PipelineChild } from '../../../local/pipeline/pipeline-child';
import { alive } from '../../support/processes';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pipeline-child-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const node = (script: string) => ({ file: process.execPath, args: ['-e', script] });

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

test('a child that exits within the grace period leaves no timer behind to keep `up` alive', async () => {
  const logFile = path.join(dir, 'logs', 'prompt.log');
  const child = new PipelineChild({
    name: 'prompt',
    args: [],
    logFile,
    command: node(
      "process.on('SIGINT', () => process.exit(0)); console.log('ready'); setInterval(() => {}, 1000);",
    ),
  });
  await until(() => readFileSync(logFile, 'utf8').includes('ready'));
  const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
  const before = timers();

  await child.stop('SIGINT', 60_000);

  expect(timers()).toBeLessThanOrEqual(before);
});

test('a child that handles SIGINT exits on its own, with its output in the log', async () => {
  const logFile = path.join(dir, 'logs', 'graceful.log');
  const child = new PipelineChild({
    name: 'graceful',
    args: [],
    logFile,
    command: node(
      "process.on('SIGINT', () => { console.log('flushed'); process.exit(0); }); console.log('ready'); setInterval(() => {}, 1000);",
    ),
  });
  await until(() => readFileSync(logFile, 'utf8').includes('ready'));

  const exit = await child.stop('SIGINT', 10_000);

  expect(exit).toEqual({ code: 0, signal: null });
  expect(child.running).toBe(false);
  expect(readFileSync(logFile, 'utf8')).toMatch(
    /# streamsoft up: graceful started at [^\n]+\nready\nflushed\n/,
  );
});

test('a child that ignores the signal is killed with everything it spawned', async () => {
  const logFile = path.join(dir, 'stubborn.log');
  // The child ignores SIGINT and starts a grandchild (think: Spark's JVM) that would outlive it.
  const child = new PipelineChild({
    name: 'stubborn',
    args: [],
    logFile,
    command: node(
      "const { spawn } = require('node:child_process'); process.on('SIGINT', () => {});" +
        "const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });" +
        'console.log(`grandchild ${g.pid}`); setInterval(() => {}, 1000);',
    ),
  });
  await until(() => /grandchild \d+/.test(readFileSync(logFile, 'utf8')));
  const grandchild = Number(/grandchild (\d+)/.exec(readFileSync(logFile, 'utf8'))?.[1]);

  const exit = await child.stop('SIGINT', 300);

  expect(exit.signal).toBe('SIGKILL');
  await until(() => !alive(grandchild));
  expect(alive(grandchild)).toBe(false);
});

test('a child that already exited reports its code', async () => {
  const child = new PipelineChild({
    name: 'short',
    args: [],
    logFile: path.join(dir, 'short.log'),
    command: node('process.exit(3)'),
  });
  expect(await child.exited).toEqual({ code: 3, signal: null });
  expect(await child.stop()).toEqual({ code: 3, signal: null });
});
