// `streamsoft jobs …` against a checkpoint another live process holds: the job refuses before Spark
// starts, and the CLI's error is one line naming the holder, exit code 2 (JobRefusedError).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JobRefusedError } from '../../../core/errors';
import { REPO_ROOT, VENV_DIR } from '../../../core/paths';
import { runJob } from '../../../glue-streaming/run-job';

jest.setTimeout(120_000);

let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-lock-'));
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** Another driver: a Python process holding the checkpoint's lock the way the launcher does. */
async function holdLock(checkpoint: string): Promise<{ pid: number; release: () => void }> {
  const code = `
import sys, time
sys.path.insert(0, ${JSON.stringify(path.join(REPO_ROOT, 'glue-streaming'))})
from streamsoft_jobs.checkpoint_lock import CheckpointLock
CheckpointLock(${JSON.stringify(checkpoint)}).acquire()
print("held", flush=True)
time.sleep(600)
`;
  const holder = spawn(path.join(VENV_DIR, 'bin', 'python'), ['-c', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve) => holder.stdout.once('data', resolve));
  return { pid: holder.pid!, release: () => holder.kill('SIGKILL') };
}

test('runJob rejects with a JobRefusedError naming the holder of the checkpoint', async () => {
  const holder = await holdLock(path.join(dataDir, 'checkpoints', 'silver'));
  try {
    const run = runJob({
      job: 'silver',
      args: [
        '--lake-path',
        path.join(dataDir, 'lake'),
        '--checkpoint-path',
        path.join(dataDir, 'checkpoints', 'silver'),
      ],
      dataDir,
    });
    await expect(run).rejects.toBeInstanceOf(JobRefusedError);
    await expect(run).rejects.toThrow(`is in use by pid ${holder.pid}; stop that job first`);
  } finally {
    holder.release();
  }
});

test('`streamsoft jobs gold` on a held checkpoint: one line on stderr, exit code 2', async () => {
  const holder = await holdLock(path.join(dataDir, 'checkpoints', 'gold'));
  try {
    const result = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'bin', 'streamsoft.js'), 'jobs', 'gold', '--data-dir', dataDir],
      { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, STREAMSOFT_LOG_LEVEL: 'warn' } },
    );
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      `streamsoft: gold_batch: checkpoint ${path.join(dataDir, 'checkpoints', 'gold')} is in use by pid ${holder.pid}; stop that job first`,
    ]);
  } finally {
    holder.release();
  }
});
