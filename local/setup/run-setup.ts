// Runs the setup steps that are not up to date, one at a time, under a lock so that parallel callers
// (several test runs, `up` and `services start`) never build the same folder at once.
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../core/paths';
import {
  fingerprint,
  isApplicable,
  lazyTools,
  type SetupGroup,
  type SetupStep,
  setupSteps,
  type Tools,
} from './steps';
import { toolLocations } from './tools';

export interface SetupOptions {
  quiet?: boolean;
  force?: boolean;
  only?: readonly SetupGroup[];
  /** Where progress lines go; stderr by default. */
  out?: NodeJS.WritableStream;
  /** Check every prerequisite the selected steps need, even when nothing has to run. */
  checkPrerequisites?: boolean;
}

export interface SetupResult {
  ran: string[];
  upToDate: string[];
}

function stampFile(step: SetupStep): string {
  return path.join(toolLocations.stamps, `${step.id}.sha256`);
}

export function isUpToDate(step: SetupStep): boolean {
  if (!fs.existsSync(step.target)) return false;
  try {
    return fs.readFileSync(stampFile(step), 'utf8').trim() === fingerprint(step);
  } catch {
    return false;
  }
}

function selectedSteps(only: readonly SetupGroup[] | undefined): SetupStep[] {
  return setupSteps().filter(
    (step) => (only === undefined || only.includes(step.group)) && isApplicable(step),
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes `.tools/setup.lock`, waiting for a live holder and clearing one left by a killed run. */
async function acquireLock(say: (line: string) => void): Promise<() => void> {
  fs.mkdirSync(path.dirname(toolLocations.lock), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(toolLocations.lock, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(toolLocations.lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(fs.readFileSync(toolLocations.lock, 'utf8').trim());
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
      fs.rmSync(toolLocations.lock, { force: true });
      continue;
    }
    if (!announced) say(`waiting for another setup to finish (pid ${holder})`);
    announced = true;
    await sleep(1000);
  }
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** On a terminal, a line that shows the step is alive: elapsed time and the last line of its log. */
function startTicker(out: NodeJS.WritableStream, log: string, prefix: string): () => void {
  const tty = (out as NodeJS.WriteStream).isTTY === true;
  if (!tty) return () => undefined;
  const started = Date.now();
  const width = Math.max(40, ((out as NodeJS.WriteStream).columns ?? 100) - 1);
  const timer = setInterval(() => {
    let last = '';
    try {
      const text = fs.readFileSync(log, 'utf8');
      last = text.trimEnd().split('\n').pop() ?? '';
    } catch {
      last = '';
    }
    const line = `${prefix} ${Math.round((Date.now() - started) / 1000)} s  ${last.replace(/\s+/g, ' ')}`;
    out.write(`\r${line.slice(0, width).padEnd(width)}`);
  }, 1000);
  return () => {
    clearInterval(timer);
    out.write(`\r${' '.repeat(width)}\r`);
  };
}

function checkPrerequisites(steps: SetupStep[], tools: Tools): void {
  const needs = new Set(steps.flatMap((step) => step.needs));
  // Java first: Maven is only usable with it, and a missing Java is the most common cause.
  for (const need of ['java', 'python', 'maven'] as const) if (needs.has(need)) tools[need]();
}

async function runStep(step: SetupStep, tools: Tools): Promise<void> {
  const log = path.join(toolLocations.logs, `${step.id}.log`);
  fs.mkdirSync(toolLocations.logs, { recursive: true });
  fs.writeFileSync(log, `# ${step.title}\n# started ${new Date().toISOString()}\n`);
  const scratch = path.join(toolLocations.scratch, step.id);
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  try {
    await step.run({ log, scratch, tools });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  fs.mkdirSync(toolLocations.stamps, { recursive: true });
  fs.writeFileSync(stampFile(step), `${fingerprint(step)}\n`);
}

/** `streamsoft setup`: brings every selected step up to date and reports progress step by step. */
export async function runSetup(options: SetupOptions = {}): Promise<SetupResult> {
  const out = options.out ?? process.stderr;
  const say = (line: string): void => {
    if (!options.quiet) out.write(`${line}\n`);
  };
  const steps = selectedSteps(options.only);
  const tools = lazyTools();
  const pending = (): SetupStep[] => steps.filter((step) => options.force || !isUpToDate(step));
  checkPrerequisites(options.checkPrerequisites ? steps : pending(), tools);
  const result: SetupResult = { ran: [], upToDate: [] };
  if (pending().length === 0) {
    result.upToDate = steps.map((step) => step.id);
    say(`setup: all ${steps.length} steps up to date`);
    return result;
  }
  const release = await acquireLock(say);
  try {
    // Another run may have finished some steps while we waited for the lock.
    const todo = new Set(pending());
    let index = 0;
    for (const step of steps) {
      index += 1;
      const prefix = `[${index}/${steps.length}]`;
      if (!todo.has(step)) {
        result.upToDate.push(step.id);
        say(`${prefix} ${step.title}: up to date`);
        continue;
      }
      const log = path.relative(REPO_ROOT, path.join(toolLocations.logs, `${step.id}.log`));
      say(`${prefix} ${step.title} (log: ${log})`);
      const started = Date.now();
      const stopTicker = options.quiet
        ? () => undefined
        : startTicker(out, path.join(REPO_ROOT, log), prefix);
      try {
        await runStep(step, tools);
      } finally {
        stopTicker();
      }
      result.ran.push(step.id);
      say(`${prefix} done in ${formatSeconds(Date.now() - started)}`);
    }
  } finally {
    release();
  }
  return result;
}

/** Brings setup up to date only where something is missing; cheap when everything is in place. */
export async function ensureSetup(
  options: { quiet?: boolean; only?: readonly SetupGroup[] } = {},
): Promise<SetupResult> {
  const steps = selectedSteps(options.only);
  if (steps.every(isUpToDate)) return { ran: [], upToDate: steps.map((step) => step.id) };
  return runSetup({ quiet: options.quiet, only: options.only });
}
