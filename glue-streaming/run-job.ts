// Runs one Glue job script on local Spark: the venv's Python with PySpark's launcher (spark-submit under
// the hood), local[2] with the project's jars and Delta, logs to <data-dir>/logs/, clean stop on signal.
// The script runs under streamsoft_jobs/local_launch.py: it locks the job's checkpoints (a second driver on
// one exits 2 naming the holder) and stops the job when this process is gone, even after a SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError, JobError, JobRefusedError } from '../core/errors';
import { dataDirLayout, REPO_ROOT, VENV_DIR, JARS_DIR } from '../core/paths';
import type { Logger } from '../core/logger';
import {
  batchArguments,
  compactArguments,
  refineArguments,
  toArgv,
  type JobLocations,
} from './job-arguments';
import SPARK_SETTINGS from './streamsoft_jobs/spark_settings.json';

export type JobName = 'bronze' | 'silver' | 'gold' | 'refine' | 'compact';

export const JOBS_DIR = path.join(REPO_ROOT, 'glue-streaming');
export const JOB_SCRIPTS: Record<JobName, string> = {
  bronze: path.join(JOBS_DIR, 'bronze_streaming.py'),
  silver: path.join(JOBS_DIR, 'silver_batch.py'),
  gold: path.join(JOBS_DIR, 'gold_batch.py'),
  refine: path.join(JOBS_DIR, 'refine_streaming.py'),
  compact: path.join(JOBS_DIR, 'compact_batch.py'),
};
const SPARK_JARS_DIR = path.join(JARS_DIR, 'spark');
const PYTHON = path.join(VENV_DIR, 'bin', 'python');

/** How long a job may take to finish its batch and stop after SIGTERM before its process group is killed. */
const STOP_GRACE_MS = 90_000;

export interface JobOptions {
  job: JobName;
  /** Arguments for the script, Glue style (`--lake-path ...`). */
  args: string[];
  dataDir: string;
  /** Aborting stops the job: SIGTERM, then SIGKILL of its process group after a grace period. */
  signal?: AbortSignal;
  /**
   * Each line the job's own Python loggers write (not Spark's JVM log), e.g. the per-batch summaries, and
   * the batch jobs' one-line JSON summary at the end (JOB_SUMMARY_LINE).
   */
  onLine?: (line: string) => void;
  logger?: Logger;
  /** Driver memory; small by default for a 2-core laptop. */
  driverMemory?: string;
}

export interface JobResult {
  job: JobName;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  log: string;
  /** The last line the job wrote (its one-line reason when it refused to start). */
  lastLine: string;
}

export interface JobHandle {
  /** The job's Python process; it leads its own process group (the Spark JVM is in it too). */
  pid: number;
  log: string;
  exited: Promise<JobResult>;
  /** SIGTERM, then SIGKILL of the whole group after the grace period. Resolves when it has exited. */
  stop(graceMs?: number): Promise<JobResult>;
}

/** A group of spark_settings.json, without its `$comment`. */
function sparkSettings(group: keyof typeof SPARK_SETTINGS): Record<string, string> {
  return Object.fromEntries(Object.entries(SPARK_SETTINGS[group]).filter(([key]) => !key.startsWith('$')));
}

/**
 * `spark-submit` settings for local runs, passed through PYSPARK_SUBMIT_ARGS: the session and local groups
 * of streamsoft_jobs/spark_settings.json; Spark's warehouse folder goes under the data dir, not into the
 * working directory.
 */
export function localSparkSubmitArgs(dataDir: string, driverMemory?: string): string[] {
  const jars = fs.existsSync(SPARK_JARS_DIR)
    ? fs
        .readdirSync(SPARK_JARS_DIR)
        .filter((name) => name.endsWith('.jar'))
        .sort()
        .map((name) => path.join(SPARK_JARS_DIR, name))
    : [];
  if (jars.length === 0) {
    throw new EnvironmentError(`no Spark jars in ${SPARK_JARS_DIR}: run \`streamsoft setup\` first`);
  }
  const conf: Record<string, string> = {
    ...sparkSettings('session'),
    ...sparkSettings('local'),
    ...(driverMemory === undefined ? {} : { 'spark.driver.memory': driverMemory }),
    'spark.sql.warehouse.dir': path.join(dataDirLayout(dataDir).root, 'spark-warehouse'),
  };
  return [
    '--jars',
    jars.join(','),
    ...Object.entries(conf).flatMap(([key, value]) => ['--conf', `${key}=${value}`]),
    'pyspark-shell',
  ];
}

/** The local launcher module (see the header). */
const LAUNCHER = 'streamsoft_jobs.local_launch';
/** A job exits 2 when it refuses to run: a bad argument, or its checkpoint held by another live driver. */
const REFUSED_EXIT_CODE = 2;

const PYTHON_LOG_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (INFO|WARNING|ERROR|CRITICAL) /;
/** What silver_batch.py, gold_batch.py and compact_batch.py print last: `{"job": …}` on one line. */
export const JOB_SUMMARY_LINE = /^\{"job": /;

/** Starts a job in the background of this process; see JobHandle. */
export function startJob(options: JobOptions): JobHandle {
  const script = JOB_SCRIPTS[options.job];
  if (!fs.existsSync(PYTHON)) {
    throw new EnvironmentError(`no Python virtualenv at ${VENV_DIR}: run \`streamsoft setup\` first`);
  }
  if (!fs.existsSync(script)) {
    throw new EnvironmentError(`the ${options.job} job script ${script} does not exist`);
  }
  const layout = dataDirLayout(options.dataDir);
  fs.mkdirSync(layout.logs, { recursive: true });
  const log = path.join(layout.logs, `job-${options.job}.log`);
  const out = fs.createWriteStream(log, { flags: 'a' });
  const submitArgs = localSparkSubmitArgs(options.dataDir, options.driverMemory);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: [JOBS_DIR, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
    PYSPARK_PYTHON: PYTHON,
    PYSPARK_DRIVER_PYTHON: PYTHON,
    PYSPARK_SUBMIT_ARGS: submitArgs.map((arg) => (arg.includes(' ') ? `"${arg}"` : arg)).join(' '),
    PYTHONUNBUFFERED: '1',
  };
  const child: ChildProcess = spawn(PYTHON, ['-m', LAUNCHER, script, ...options.args], {
    cwd: REPO_ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new JobError(`could not start ${PYTHON}`);
  const pid = child.pid;
  options.logger?.info({ pid, log }, 'job started');

  let pending = '';
  let lastLine = '';
  const onData = (chunk: Buffer): void => {
    out.write(chunk);
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() !== '') lastLine = line;
      if (options.onLine === undefined) continue;
      if (PYTHON_LOG_LINE.test(line) || JOB_SUMMARY_LINE.test(line)) options.onLine(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  const exited = new Promise<JobResult>((resolve, reject) => {
    child.on('error', (error) =>
      reject(new JobError(`could not run the ${options.job} job`, { cause: error })),
    );
    child.on('close', (exitCode, signal) => {
      if (pending.trim() !== '') lastLine = pending;
      out.end(() => resolve({ job: options.job, exitCode, signal, log, lastLine: lastLine.trim() }));
    });
  });
  // Nothing of the group may outlive a job that ended (the JVM exits on its own when Python does).
  void exited.then(() => killGroup(pid, 'SIGKILL')).catch(() => undefined);

  const stop = async (graceMs = STOP_GRACE_MS): Promise<JobResult> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return exited;
  };
  if (options.signal !== undefined) {
    // stop() rejects only as exited does, and exited carries that failure to whoever awaits the job.
    const stopOnAbort = (): void => void stop().catch(() => undefined);
    if (options.signal.aborted) stopOnAbort();
    else options.signal.addEventListener('abort', stopOnAbort, { once: true });
  }
  return { pid, log, exited, stop };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/** Runs a job to its end; throws a JobError naming the log when it fails. Stopped by `signal`: resolves. */
export async function runJob(options: JobOptions): Promise<JobResult> {
  const handle = startJob(options);
  const result = await handle.exited;
  const stoppedOnRequest = options.signal?.aborted === true;
  if (result.exitCode === REFUSED_EXIT_CODE) throw new JobRefusedError(result.lastLine);
  if (result.exitCode !== 0 && !stoppedOnRequest) {
    const how = result.signal !== null ? `signal ${result.signal}` : `exit code ${String(result.exitCode)}`;
    throw new JobError(`the ${options.job} job failed (${how}); see ${result.log}`);
  }
  return result;
}

/** A data dir's lake and checkpoint folders, as the jobs' arguments name them (job-arguments.ts). */
export function localJobLocations(dataDir: string): JobLocations {
  const layout = dataDirLayout(dataDir);
  return { lakePath: layout.lake, checkpointsPath: layout.checkpoints };
}

/** silver_batch.py's, gold_batch.py's or compact_batch.py's command line for a local run. */
export function localBatchArgs(job: 'silver' | 'gold' | 'compact', dataDir: string): string[] {
  const locations = localJobLocations(dataDir);
  return toArgv(job === 'compact' ? compactArguments(locations) : batchArguments(job, locations));
}

/** refine_streaming.py's command line for a local run: silver and gold continuously. */
export function localRefineArgs(dataDir: string, triggerSeconds: number): string[] {
  return toArgv(refineArguments(localJobLocations(dataDir), triggerSeconds));
}
