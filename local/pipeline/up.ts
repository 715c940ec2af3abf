// `streamsoft up`: the whole pipeline on one machine. Starts the stand-ins, registers the schemas, runs the
// producer and the bronze streaming job as children, silver and gold continuously in one long-lived Spark
// session (or on a timer with --refine batch), and the dashboard in process; runs until aborted (Ctrl-C)
// or until a long-running part dies, then stops everything it started. A detached reaper stops the same
// process groups if `up` itself is killed.
import path from 'node:path';
import { ServiceError } from '../../core/errors';
import { bronzeJobArgs } from '../../glue-streaming/command';
import {
  localBatchArgs,
  localRefineArgs,
  runJob,
  startJob,
  type JobHandle,
  type JobResult,
} from '../../glue-streaming/run-job';
import { silentLogger, type Logger } from '../../core/logger';
import { dataDirLayout } from '../../core/paths';
import { LocalLake } from '../../lake/local-lake';
import { serveLocalDashboard } from '../../metabase/local-dashboard';
import { ensureSetup } from '../setup/run-setup';
import type { ServiceName } from '../services/service';
import { startServices, stopServices } from '../services/supervisor';
import { BatchScheduler, type BatchRunResult } from './batch-scheduler';
import type { UpConfig } from './config';
import { GroupReaper } from './group-reaper';
import { lakeProgress, MilestoneWatcher } from './milestones';
import { PipelineChild, tailOf, type ChildExit } from './pipeline-child';
import { lakeTable } from '../../lake/tables';
import {
  bronzeJobConfig,
  produceArgs,
  registerSchemasArgs,
  type StandInEndpoints,
} from './pipeline-commands';

export interface UpOptions {
  /** Aborting stops the pipeline cleanly (what Ctrl-C does). */
  signal: AbortSignal;
  /** Human-readable progress lines (stdout in the CLI). */
  say: (line: string) => void;
  logger?: Logger;
}

/** Tables whose row counts `up` reports after each batch run. */
const REPORTED_TABLES = ['bronze.trades', 'bronze.trades_quarantine', 'silver.trades', 'gold.ohlcv_1m'].map(
  (name) => lakeTable(name).name,
);

class LongRunningPartDied extends ServiceError {}

/**
 * How long each part may take to stop on its own before its process group is killed: the parts stop
 * together, so everything `up` started is gone within 15 s of Ctrl-C (every write is idempotent, so a
 * micro-batch cut short is replayed from its checkpoint).
 */
const STOP_GRACE_MS = 8_000;

function describeExit(exit: ChildExit | JobResult): string {
  const code = 'code' in exit ? exit.code : exit.exitCode;
  return exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${code}`;
}

/** Runs one child to completion; rejects with its log tail when it fails or when aborted. */
async function runToCompletion(child: PipelineChild, signal: AbortSignal): Promise<void> {
  const onAbort = (): void => void child.stop('SIGTERM', 20_000);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const exit = await child.exited;
    if (exit.code !== 0) {
      throw new ServiceError(
        `${child.options.name} ${describeExit(exit)}; see ${child.options.logFile}:\n${tailOf(child.options.logFile)}`,
      );
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

async function lakeSummary(lake: LocalLake): Promise<string> {
  const parts: string[] = [];
  await lake.refresh();
  for (const table of REPORTED_TABLES) {
    if (!lake.tables().includes(table)) continue;
    const result = await lake.query(`SELECT count(*) FROM ${table}`);
    parts.push(`${table} ${String(result.rows[0]?.[0] ?? 0)}`);
  }
  return parts.length === 0 ? 'no tables yet' : parts.join(', ');
}

/** Runs the pipeline until `options.signal` aborts; resolves the process exit code. */
export async function runUp(input: UpConfig, options: UpOptions): Promise<number> {
  const config: UpConfig = { ...input, dataDir: path.resolve(input.dataDir) };
  const layout = dataDirLayout(config.dataDir);
  const log = options.logger ?? silentLogger;
  const say = options.say;
  /** What to stop: all at once, then the stand-ins (`last`), so the parts using them stop first. */
  const cleanups: Array<{ what: string; run: () => Promise<unknown>; last?: boolean }> = [];
  const childLog = (name: string): string => path.join(layout.logs, `up-${name}.log`);
  let failure: Error | undefined;
  let stopping = false;
  const failed = new AbortController();
  const startedAt = Date.now();
  const reaper = new GroupReaper();

  /** A long-running part ended on its own: the pipeline cannot go on without it. */
  const fail = (message: string): void => {
    if (options.signal.aborted || failed.signal.aborted || stopping) return;
    failure = new LongRunningPartDied(message);
    failed.abort();
  };
  const watch = (child: PipelineChild): void => {
    void child.exited.then((exit) =>
      fail(
        `${child.options.name} ${describeExit(exit)}; see ${child.options.logFile}:\n${tailOf(child.options.logFile)}`,
      ),
    );
  };

  try {
    await ensureSetup({ quiet: false });
    if (options.signal.aborted) return 130;

    const services: ServiceName[] =
      config.transport === 'kinesis' ? ['kinesis', 'registry'] : ['kafka', 'registry'];
    say(`starting ${services.join(' and ')} (data dir ${config.dataDir})`);
    const outcomes = await startServices(services, {
      dataDir: config.dataDir,
      ports: {
        kinesis: config.kinesisPort,
        kafka: config.kafkaPort,
        kafkaController: config.kafkaControllerPort,
        registry: config.registryPort,
      },
      startTimeoutMs: config.startTimeout * 1000,
    });
    for (const o of outcomes) if (o.state === 'started') reaper.watch(o.record.pid);
    const started = outcomes.filter((o) => o.state === 'started').map((o) => o.record.name);
    if (started.length > 0) {
      cleanups.push({
        what: `stand-ins ${started.join(', ')}`,
        run: () => stopServices(started, config.dataDir),
        last: true,
      });
    }
    const endpointOf = (name: ServiceName): string | undefined =>
      outcomes.find((o) => o.record.name === name)?.record.endpoint;
    const endpoints: StandInEndpoints = {
      kinesis: endpointOf('kinesis'),
      kafka: endpointOf('kafka'),
      registry: endpointOf('registry') ?? '',
    };
    say(
      `stand-ins ready: ${outcomes
        .map(
          (o) => `${o.record.name} ${o.record.endpoint}${o.state === 'started' ? '' : ' (already running)'}`,
        )
        .join(', ')}`,
    );
    if (options.signal.aborted) return 130;

    await runToCompletion(
      new PipelineChild({
        name: 'schemas',
        args: registerSchemasArgs(config, endpoints),
        logFile: childLog('schemas'),
      }),
      options.signal,
    );
    say(`Trade schemas registered at ${endpoints.registry}`);
    if (options.signal.aborted) return 130;

    const dashboard = await serveLocalDashboard({
      dataDir: config.dataDir,
      port: config.dashboardPort,
      logger: log,
    });
    cleanups.push({ what: 'dashboard', run: () => dashboard.close() });

    const producer = new PipelineChild({
      name: 'producer',
      args: produceArgs(config, endpoints),
      logFile: childLog('producer'),
    });
    reaper.watch(producer.pid);
    cleanups.push({ what: 'producer', run: () => producer.stop('SIGINT', STOP_GRACE_MS) });
    watch(producer);
    say(
      `producer sending ${config.rate} trades/s to ${config.transport} ${config.stream}, ` +
        `${config.jumpRate > 0 ? `price jumps ${config.jumpRate} per trade` : 'no price jumps'} (log ${producer.options.logFile})`,
    );

    const bronze = startJob({
      job: 'bronze',
      args: bronzeJobArgs(bronzeJobConfig(config, endpoints)),
      dataDir: config.dataDir,
      logger: log,
    });
    reaper.watch(bronze.pid);
    cleanups.push({ what: 'bronze streaming job', run: () => bronze.stop(STOP_GRACE_MS) });
    void bronze.exited.then(
      (exit) => fail(`bronze streaming job ${describeExit(exit)}; see ${exit.log}:\n${tailOf(exit.log)}`),
      (error: unknown) => fail(`bronze streaming job could not run: ${(error as Error).message}`),
    );
    say(`bronze streaming job started (log ${bronze.log})`);

    const lake = await LocalLake.open({ lakeDir: layout.lake, logger: log });
    cleanups.push({ what: 'lake', run: async () => lake.close() });
    if (config.refine === 'continuous') {
      const refine: JobHandle = startJob({
        job: 'refine',
        args: localRefineArgs(config.dataDir, config.refineTriggerSeconds),
        dataDir: config.dataDir,
        logger: log,
      });
      reaper.watch(refine.pid);
      cleanups.push({ what: 'silver and gold streaming job', run: () => refine.stop(STOP_GRACE_MS) });
      void refine.exited.then(
        (exit) => fail(`silver and gold job ${describeExit(exit)}; see ${exit.log}:\n${tailOf(exit.log)}`),
        (error: unknown) => fail(`silver and gold job could not run: ${(error as Error).message}`),
      );
      say(
        `silver and gold streaming, a micro-batch every ${config.refineTriggerSeconds} s (log ${refine.log})`,
      );
    } else {
      const scheduler = batchScheduler(config, lake, say, log);
      cleanups.push({ what: 'batch jobs', run: () => scheduler.stop() });
      scheduler.start();
      say(`silver and gold run every ${config.batchInterval} s`);
    }
    const milestones = new MilestoneWatcher({
      progress: () => lakeProgress(lake),
      say,
      dashboardUrl: dashboard.url,
      startedAt,
      onError: (error) => log.warn({ err: error }, 'could not read the lake'),
    });
    cleanups.push({ what: 'milestones', run: () => milestones.stop() });
    milestones.start();

    await new Promise<void>((resolve) => {
      if (options.signal.aborted || failed.signal.aborted) return resolve();
      options.signal.addEventListener('abort', () => resolve(), { once: true });
      failed.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    if (failure !== undefined) throw failure;
    return 0;
  } catch (error) {
    if (options.signal.aborted && !(error instanceof LongRunningPartDied)) return 130;
    throw error;
  } finally {
    stopping = true;
    say('stopping…');
    const stop = async (cleanup: (typeof cleanups)[number]): Promise<void> => {
      try {
        await cleanup.run();
        log.debug({ part: cleanup.what }, 'stopped');
      } catch (error) {
        say(`could not stop ${cleanup.what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    await Promise.all(cleanups.filter((c) => c.last !== true).map(stop));
    for (const cleanup of cleanups.filter((c) => c.last === true)) await stop(cleanup);
    reaper.release();
    say('stopped');
  }
}

function batchScheduler(
  config: UpConfig,
  lake: LocalLake,
  say: (line: string) => void,
  log: Logger,
): BatchScheduler {
  return new BatchScheduler({
    intervalMs: config.batchInterval * 1000,
    runOnce: async (signal) => {
      for (const job of ['silver', 'gold'] as const) {
        await runJob({
          job,
          args: localBatchArgs(job, config.dataDir),
          dataDir: config.dataDir,
          signal,
          logger: log,
        });
        if (signal.aborted) return;
      }
    },
    onResult: (result: BatchRunResult) => {
      if (!result.ok) {
        say(`batch ${result.run} failed after ${(result.durationMs / 1000).toFixed(0)} s: ${result.failure}`);
        return;
      }
      void lakeSummary(lake).then(
        (summary) =>
          say(`batch ${result.run}: silver + gold in ${(result.durationMs / 1000).toFixed(0)} s; ${summary}`),
        (error: unknown) => log.warn({ err: error }, 'could not summarise the lake'),
      );
    },
  });
}
