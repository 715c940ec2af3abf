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
import { isAlive } from '../services/processes';

/** Where setup keeps its bookkeeping; `.tools/` normally, a temp dir in tests. */
export interface SetupWorkspace {
  stamps: string;
  logs: string;
  scratch: string;
  lock: string;
}

const DEFAULT_WORKSPACE: SetupWorkspace = {
  stamps: toolLocations.stamps,
  logs: toolLocations.logs,
  scratch: toolLocations.scratch,
  lock: toolLocations.lock,
};

export interface SetupOptions {
  quiet?: boolean;
  force?: boolean;
  only?: readonly SetupGroup[];
  /** Where progress lines go; stderr by default. */
  out?: NodeJS.WritableStream;
  /** Check every prerequisite the selected steps need, even when nothing has to run. */
  checkPrerequisites?: boolean;
  /** The steps to choose from; every real step by default. */
  steps?: SetupStep[];
  workspace?: SetupWorkspace;
  tools?: Tools;
}

export interface SetupResult {
  ran: string[];
  upToDate: string[];
}

function stampFile(step: SetupStep, workspace: SetupWorkspace): string {
  return path.join(workspace.stamps, `${step.id}.sha256`);
}

export function isUpToDate(step: SetupStep, workspace: SetupWorkspace = DEFAULT_WORKSPACE): boolean {
  if (!fs.existsSync(step.target)) return false;
  try {
    return fs.readFileSync(stampFile(step, workspace), 'utf8').trim() === fingerprint(step);
  } catch {
    return false;
  }
}

function selectedSteps(
  only: readonly SetupGroup[] | undefined,
  steps: SetupStep[] = setupSteps(),
): SetupStep[] {
  return steps.filter((step) => (only === undefined || only.includes(step.group)) && isApplicable(step));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes `.tools/setup.lock`, waiting for a live holder and clearing one left by a killed run. */
async function acquireLock(lock: string, say: (line: string) => void): Promise<() => void> {
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = 0;
    try {
      holder = Number(fs.readFileSync(lock, 'utf8').trim());
    } catch {
      continue; // released between our attempt and the read
    }
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
      fs.rmSync(lock, { force: true });
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

async function runStep(
  step: SetupStep,
  tools: Tools,
  workspace: SetupWorkspace,
  force: boolean,
): Promise<void> {
  const log = path.join(workspace.logs, `${step.id}.log`);
  fs.mkdirSync(workspace.logs, { recursive: true });
  fs.writeFileSync(log, `# ${step.title}\n# started ${new Date().toISOString()}\n`);
  // A stamp is only ever written after its step succeeded; remove it first so a failure cannot leave an old one.
  fs.rmSync(stampFile(step, workspace), { force: true });
  // Leftovers of an interrupted run are thrown away, never resumed from.
  const scratch = path.join(workspace.scratch, step.id);
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  try {
    await step.run({ log, scratch, tools, force });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  fs.mkdirSync(workspace.stamps, { recursive: true });
  fs.writeFileSync(stampFile(step, workspace), `${fingerprint(step)}\n`);
}

/** `streamsoft setup`: brings every selected step up to date and reports progress step by step. */
export async function runSetup(options: SetupOptions = {}): Promise<SetupResult> {
  const out = options.out ?? process.stderr;
  const say = (line: string): void => {
    if (!options.quiet) out.write(`${line}\n`);
  };
  const workspace = options.workspace ?? DEFAULT_WORKSPACE;
  const steps = selectedSteps(options.only, options.steps);
  const tools = options.tools ?? lazyTools();
  const pending = (): SetupStep[] => steps.filter((step) => options.force || !isUpToDate(step, workspace));
  checkPrerequisites(options.checkPrerequisites ? steps : pending(), tools);
  const result: SetupResult = { ran: [], upToDate: [] };
  if (pending().length === 0) {
    result.upToDate = steps.map((step) => step.id);
    say(`setup: all ${steps.length} steps up to date`);
    return result;
  }
  const release = await acquireLock(workspace.lock, say);
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
      const log = path.join(workspace.logs, `${step.id}.log`);
      say(`${prefix} ${step.title} (log: ${path.relative(REPO_ROOT, log)})`);
      const started = Date.now();
      const stopTicker = options.quiet ? () => undefined : startTicker(out, log, prefix);
      try {
        await runStep(step, tools, workspace, options.force === true);
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
  options: Pick<SetupOptions, 'quiet' | 'only' | 'steps' | 'workspace' | 'tools'> = {},
): Promise<SetupResult> {
  const workspace = options.workspace ?? DEFAULT_WORKSPACE;
  const steps = selectedSteps(options.only, options.steps);
  if (steps.every((step) => isUpToDate(step, workspace)))
    return { ran: [], upToDate: steps.map((step) => step.id) };
  return runSetup(options);
}
