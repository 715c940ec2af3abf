// The setup runner with stand-in steps in a temp dir: stamps make it idempotent, an interrupted step leaves
// no half-built target, prerequisites are checked before anything runs, and parallel runs build once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { EnvironmentError } from '../../../core/errors';
import { ensureSetup, runSetup, type SetupWorkspace } from '../../../local/setup/run-setup';
import type { SetupStep, StepContext, Tools } from '../../../local/setup/steps';

let dir: string;
let workspace: SetupWorkspace;
const runs: string[] = [];

const tools: Tools = {
  java: () => ({ command: 'java', version: { major: 17, minor: 0, patch: 0, text: '17' } }),
  python: () => ({ command: 'python3', version: { major: 3, minor: 11, patch: 0, text: '3.11' } }),
  maven: () => ({ command: 'mvn', version: { major: 3, minor: 8, patch: 7, text: '3.8.7' } }),
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-setup-'));
  workspace = {
    stamps: path.join(dir, 'stamps'),
    logs: path.join(dir, 'logs'),
    scratch: path.join(dir, 'tmp'),
    lock: path.join(dir, 'setup.lock'),
  };
  runs.length = 0;
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A step that builds `<dir>/<id>/content` from its input file in scratch and renames it into place. */
function buildStep(
  id: string,
  options: { failAfterScratch?: boolean; needs?: Array<keyof Tools> } = {},
): SetupStep {
  const input = path.join(dir, `${id}.input`);
  if (!fs.existsSync(input)) fs.writeFileSync(input, 'v1');
  const target = path.join(dir, id);
  return {
    id,
    group: 'jars',
    title: `build ${id}`,
    target,
    inputs: [input],
    salt: 'test',
    needs: options.needs ?? [],
    async run({ scratch, log }: StepContext) {
      runs.push(id);
      fs.appendFileSync(log, `building ${id}\n`);
      const out = path.join(scratch, 'out');
      fs.mkdirSync(out);
      fs.writeFileSync(path.join(out, 'content'), fs.readFileSync(input));
      if (options.failAfterScratch) throw new Error('interrupted');
      fs.rmSync(target, { recursive: true, force: true });
      fs.renameSync(out, target);
    },
  };
}

describe('runSetup', () => {
  it('runs each step once, then reports it up to date until its input changes', async () => {
    const steps = [buildStep('a'), buildStep('b')];
    expect(await runSetup({ steps, workspace, tools, quiet: true })).toEqual({
      ran: ['a', 'b'],
      upToDate: [],
    });
    expect(await runSetup({ steps, workspace, tools, quiet: true })).toEqual({
      ran: [],
      upToDate: ['a', 'b'],
    });

    fs.writeFileSync(path.join(dir, 'b.input'), 'v2');
    expect(await runSetup({ steps, workspace, tools, quiet: true })).toEqual({ ran: ['b'], upToDate: ['a'] });
    expect(fs.readFileSync(path.join(dir, 'b', 'content'), 'utf8')).toBe('v2');
  });

  it('rebuilds a step whose target was deleted, and every step with force', async () => {
    const steps = [buildStep('a'), buildStep('b')];
    await runSetup({ steps, workspace, tools, quiet: true });
    fs.rmSync(path.join(dir, 'a'), { recursive: true });
    expect((await runSetup({ steps, workspace, tools, quiet: true })).ran).toEqual(['a']);
    expect((await runSetup({ steps, workspace, tools, quiet: true, force: true })).ran).toEqual(['a', 'b']);
  });

  it('an interrupted step leaves the old target, no stamp and no scratch; the next run completes it', async () => {
    await runSetup({ steps: [buildStep('a')], workspace, tools, quiet: true });
    fs.writeFileSync(path.join(dir, 'a.input'), 'v2');

    await expect(
      runSetup({ steps: [buildStep('a', { failAfterScratch: true })], workspace, tools, quiet: true }),
    ).rejects.toThrow('interrupted');
    expect(fs.readFileSync(path.join(dir, 'a', 'content'), 'utf8')).toBe('v1');
    expect(fs.existsSync(path.join(workspace.stamps, 'a.sha256'))).toBe(false);
    expect(fs.readdirSync(workspace.scratch)).toEqual([]);
    expect(fs.existsSync(workspace.lock)).toBe(false);

    expect((await runSetup({ steps: [buildStep('a')], workspace, tools, quiet: true })).ran).toEqual(['a']);
    expect(fs.readFileSync(path.join(dir, 'a', 'content'), 'utf8')).toBe('v2');
  });

  it('checks prerequisites before running any step', async () => {
    const noMaven: Tools = {
      ...tools,
      maven: () => {
        throw new EnvironmentError('Maven not found on PATH (need >= 3.6)');
      },
    };
    const steps = [buildStep('a'), buildStep('b', { needs: ['maven'] })];
    await expect(runSetup({ steps, workspace, tools: noMaven, quiet: true })).rejects.toThrow(
      'Maven not found on PATH (need >= 3.6)',
    );
    expect(runs).toEqual([]);
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    fs.mkdirSync(path.dirname(workspace.lock), { recursive: true });
    fs.writeFileSync(workspace.lock, '999999999');
    expect((await runSetup({ steps: [buildStep('a')], workspace, tools, quiet: true })).ran).toEqual(['a']);
  });

  it('parallel runs build each step once', async () => {
    const steps = [buildStep('a'), buildStep('b')];
    const results = await Promise.all([
      runSetup({ steps, workspace, tools, quiet: true }),
      runSetup({ steps, workspace, tools, quiet: true }),
      ensureSetup({ steps, workspace, tools, quiet: true }),
    ]);
    expect(runs.sort()).toEqual(['a', 'b']);
    expect(results.flatMap((result) => result.ran).sort()).toEqual(['a', 'b']);
  });

  it('shows progress step by step, and nothing when quiet', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    const steps = [buildStep('a'), buildStep('b')];
    await runSetup({ steps, workspace, tools, out });
    await runSetup({ steps, workspace, tools, out });
    const text = chunks.join('');
    expect(text).toMatch(/^\[1\/2\] build a \(log: .*a\.log\)$/m);
    expect(text).toMatch(/^\[2\/2\] done in \d+\.\d s$/m);
    expect(text).toMatch(/^setup: all 2 steps up to date$/m);

    chunks.length = 0;
    fs.writeFileSync(path.join(dir, 'a.input'), 'v3');
    await runSetup({ steps, workspace, tools, out, quiet: true });
    expect(chunks.join('')).toBe('');
  });
});
