// `streamsoft setup` as a user runs it: cached when everything is in place, and one line with exit 2 when
// a prerequisite is missing or a flag is wrong.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './cli';

jest.setTimeout(600_000);

let emptyDir: string;

beforeAll(() => {
  emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-empty-path-'));
});

afterAll(() => {
  fs.rmSync(emptyDir, { recursive: true, force: true });
});

function envWithout(overrides: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...overrides };
  delete env.JAVA_HOME;
  return env;
}

describe('streamsoft setup', () => {
  it('is cached: once done, a second run reports every step up to date', async () => {
    const first = await runCli(['setup', '--quiet']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const second = await runCli(['setup']);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/^setup: all \d+ steps up to date\n$/);
  });

  it('names a missing Maven in one line, exit 2', async () => {
    const result = await runCli(['setup', '--only', 'jars'], envWithout({ PATH: emptyDir }));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('streamsoft: Maven not found on PATH (need >= 3.6)\n');
  });

  it('names a missing Python in one line, exit 2', async () => {
    const result = await runCli(['setup', '--only', 'venv'], envWithout({ PATH: emptyDir }));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('streamsoft: Python not found on PATH (need >= 3.10)\n');
  });

  it('names a missing Java in one line, exit 2', async () => {
    const result = await runCli(['setup'], envWithout({ PATH: emptyDir, STREAMSOFT_JVM_DIRS: emptyDir }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^streamsoft: Java not found \(need >= 17 for Maven and the Kafka broker; [^\n]*\)\n$/,
    );
  });

  it('names a too-old Maven in one line, exit 2', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-old-mvn-'));
    try {
      fs.writeFileSync(
        path.join(bin, 'mvn'),
        '#!/bin/sh\necho "Apache Maven 3.5.4 (1edded0938998edf8bf061f1ceb3cfdeccf443fe)"\n',
        {
          mode: 0o755,
        },
      );
      const result = await runCli(['setup', '--only', 'jars'], envWithout({ PATH: bin }));
      expect(result.code).toBe(2);
      expect(result.stderr).toBe('streamsoft: Maven 3.5.4 is too old (need >= 3.6)\n');
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  it('rejects an unknown --only group naming the flag, exit 2', async () => {
    const result = await runCli(['setup', '--only', 'venv,spark']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'streamsoft: --only: must be one or more of venv, glue-wheels, jars, msk-iam, apicurio (got "venv,spark")\n',
    );
  });
});
