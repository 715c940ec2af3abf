// The setup step staging the Glue jobs' wheels, run by the real setup runner with a stand-in interpreter
// (a script that records its arguments and writes empty wheels, so nothing is downloaded): the venv's pip
// is asked for Glue 6.0's platform and Python, every pin must yield a wheel, and the stamp makes a re-run free.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSetup, type SetupWorkspace } from '../../../local/setup/run-setup';
import { glueWheelsStep, type Tools } from '../../../local/setup/steps';

let dir: string;
let workspace: SetupWorkspace;
let requirements: string;
let venv: string;
let target: string;
let argsLog: string;

const tools: Tools = {
  java: () => {
    throw new Error('not needed');
  },
  python: () => ({ command: 'python3', version: { major: 3, minor: 11, patch: 0, text: '3.11' } }),
  maven: () => {
    throw new Error('not needed');
  },
};

/** A `bin/python` that logs its arguments and writes `<name>-<version>-py3-none-any.whl` per pin, except `skip`. */
function fakePython(skip?: string): void {
  const bin = path.join(venv, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const script = `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(argsLog)}, JSON.stringify(args) + '\\n');
const dest = args[args.indexOf('-d') + 1];
for (const line of fs.readFileSync(args[args.indexOf('-r') + 1], 'utf8').split('\\n')) {
  const pin = line.replace(/#.*/, '').trim();
  if (!pin || pin === ${JSON.stringify(skip ?? '')}) continue;
  const [name, version] = pin.split('==');
  fs.writeFileSync(path.join(dest, name.replace(/-/g, '_') + '-' + version + '-py3-none-any.whl'), '');
}
`;
  fs.writeFileSync(path.join(bin, 'python'), script, { mode: 0o755 });
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-glue-wheels-step-'));
  workspace = {
    stamps: path.join(dir, 'stamps'),
    logs: path.join(dir, 'logs'),
    scratch: path.join(dir, 'tmp'),
    lock: path.join(dir, 'setup.lock'),
  };
  requirements = path.join(dir, 'requirements-glue.txt');
  fs.writeFileSync(requirements, '# pins\nfastavro==1.12.1\ncharset-normalizer==3.5.3\n');
  venv = path.join(dir, 'venv');
  target = path.join(dir, 'glue-wheels');
  argsLog = path.join(dir, 'args.jsonl');
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const calls = (): string[][] =>
  fs.existsSync(argsLog)
    ? fs
        .readFileSync(argsLog, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as string[])
    : [];

test('downloads Linux wheels for Glue 6.0 with the venv pip, once until the pins change', async () => {
  fakePython();
  const steps = [glueWheelsStep(target, requirements, venv)];
  expect(await runSetup({ steps, workspace, tools, quiet: true })).toEqual({
    ran: ['glue-wheels'],
    upToDate: [],
  });
  expect(fs.readdirSync(target).sort()).toEqual([
    'charset_normalizer-3.5.3-py3-none-any.whl',
    'fastavro-1.12.1-py3-none-any.whl',
  ]);
  const [args] = calls();
  expect(args!.slice(0, 4)).toEqual(['-m', 'pip', '--disable-pip-version-check', 'download']);
  for (const [flag, value] of [
    ['--platform', 'manylinux2014_x86_64'],
    ['--python-version', '3.13'],
    ['--implementation', 'cp'],
    ['-r', requirements],
  ]) {
    expect(args![args!.indexOf(flag!) + 1]).toBe(value);
  }
  expect(args).toEqual(expect.arrayContaining(['--only-binary=:all:', '--no-deps']));

  expect(await runSetup({ steps, workspace, tools, quiet: true })).toEqual({
    ran: [],
    upToDate: ['glue-wheels'],
  });
  expect(calls()).toHaveLength(1);

  fs.appendFileSync(requirements, 'idna==3.20\n');
  expect((await runSetup({ steps, workspace, tools, quiet: true })).ran).toEqual(['glue-wheels']);
  expect(fs.readdirSync(target)).toContain('idna-3.20-py3-none-any.whl');
});

test('a pin without a wheel fails the step naming it, and leaves no target and no stamp', async () => {
  fakePython('charset-normalizer==3.5.3');
  const steps = [glueWheelsStep(target, requirements, venv)];
  await expect(runSetup({ steps, workspace, tools, quiet: true })).rejects.toThrow(
    /^pip downloaded no wheel for charset-normalizer==3\.5\.3; see /,
  );
  expect(fs.existsSync(target)).toBe(false);
  expect(fs.existsSync(path.join(workspace.stamps, 'glue-wheels.sha256'))).toBe(false);
});
