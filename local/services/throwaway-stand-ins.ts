// Throwaway local stand-ins for the integration tests and the benchmarks: each call gets its own free ports
// and temp data dir, so runs on the same machine never share a broker. Call stop() when done.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataDirLayout } from '../../core/paths';
import { freePort, isOurProcess } from './processes';
import type { KafkaSecurity } from './kafka-security';
import type { ServiceListener, ServiceName, ServicePorts } from './service';
import {
  readRunRecord,
  type ServicesConfig,
  SERVICES,
  startService as startOne,
  startServices,
  stopService as stopOne,
  stopServices,
} from './supervisor';

export type StandInKind = ServiceName;

export interface StandInEndpoints {
  /** http://127.0.0.1:PORT */
  kinesis?: string;
  /** 127.0.0.1:PORT */
  kafka?: string;
  /** http://127.0.0.1:PORT/apis/ccompat/v7 */
  registry?: string;
}

export interface StandIns {
  endpoints: StandInEndpoints;
  /** The Kafka broker's listeners (plaintext, and TLS and SASL_SSL when asked for), with the CA to trust. */
  kafkaListeners: ServiceListener[];
  dataDir: string;
  /** Stops every stand-in and removes the data dir if startStandIns created it. */
  stop(): Promise<void>;
  /** Stops one stand-in, waits `downMs`, and starts it again on the same port and data dir. */
  restart(kind: StandInKind, opts?: { downMs?: number }): Promise<void>;
  stopService(kind: StandInKind): Promise<void>;
  startService(kind: StandInKind): Promise<void>;
}

export interface StandInOptions {
  /** Use this data dir (kept on stop) instead of a fresh temp dir (removed on stop). */
  dataDir?: string;
  /** Open the Kafka broker's TLS listener (`tls`), or its TLS and SASL/SCRAM-over-TLS listeners (`scram`). */
  kafkaSecurity?: KafkaSecurity;
}

// JVM start-up is slow when several test runs share the two cores; be patient rather than flaky.
const START_TIMEOUT_MS = 240_000;

/**
 * Data dirs with stand-ins still running, killed when the test process exits without calling stop().
 * Kept on globalThis because jest loads this module afresh for every test file of one process.
 */
interface LeftoverRegistry {
  dataDirs: Set<string>;
}
const REGISTRY_KEY = Symbol.for('streamsoft.stand-ins.running');

function leftovers(): LeftoverRegistry {
  const global = globalThis as typeof globalThis & { [REGISTRY_KEY]?: LeftoverRegistry };
  let registry = global[REGISTRY_KEY];
  if (registry === undefined) {
    const created: LeftoverRegistry = { dataDirs: new Set() };
    registry = created;
    global[REGISTRY_KEY] = created;
    process.once('exit', () => killLeftovers(created.dataDirs));
  }
  return registry;
}

function killLeftovers(dataDirs: Set<string>): void {
  for (const dataDir of dataDirs) {
    const layout = dataDirLayout(dataDir);
    for (const name of Object.keys(SERVICES) as ServiceName[]) {
      const record = readRunRecord(layout, name);
      if (record === undefined) continue;
      try {
        process.kill(-record.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/**
 * A stand-in that died while a test used it makes that test fail far from the cause (a refused connection,
 * a timeout). Say so where the test output shows it, with the end of the stand-in's own log.
 */
function reportDeadStandIns(names: readonly ServiceName[], dataDir: string): void {
  const layout = dataDirLayout(dataDir);
  for (const name of names) {
    const record = readRunRecord(layout, name);
    if (record === undefined || isOurProcess(record.pid, record.markers)) continue;
    let tail = '(no log)';
    try {
      tail = fs.readFileSync(record.log, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
    } catch {
      // the log is gone with its dir
    }
    process.stderr.write(
      `stand-in ${name} (pid ${record.pid}) had exited before stop; its log ends:\n${tail}\n`,
    );
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export async function startStandIns(kinds: StandInKind[], opts: StandInOptions = {}): Promise<StandIns> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-stand-ins-'));
  const [kinesis, kafka, kafkaController, registry, kafkaTls, kafkaScram] = await distinctFreePorts(6);
  const security = opts.kafkaSecurity ?? 'none';
  const ports: ServicePorts = {
    kinesis: kinesis!,
    kafka: kafka!,
    kafkaController: kafkaController!,
    registry: registry!,
    kafkaTls: security === 'none' ? undefined : kafkaTls!,
    kafkaScram: security === 'scram' ? kafkaScram! : undefined,
  };
  const config: ServicesConfig = { dataDir, ports, startTimeoutMs: START_TIMEOUT_MS, quietSetup: true };
  const names = (Object.keys(SERVICES) as ServiceName[]).filter((name) => kinds.includes(name));

  const running = leftovers().dataDirs;
  running.add(dataDir);

  const stop = async (): Promise<void> => {
    reportDeadStandIns(names, dataDir);
    try {
      await stopServices(names, dataDir);
    } finally {
      running.delete(dataDir);
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    }
  };

  try {
    await startServices(names, config);
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  const endpoints: StandInEndpoints = {};
  for (const name of names) endpoints[name] = SERVICES[name].endpoint(ports);

  const startService = async (kind: StandInKind): Promise<void> => {
    await startOne(kind, config);
  };
  const stopService = async (kind: StandInKind): Promise<void> => {
    await stopOne(kind, dataDir);
  };

  return {
    endpoints,
    kafkaListeners: readRunRecord(dataDirLayout(dataDir), 'kafka')?.listeners ?? [],
    dataDir,
    stop,
    stopService,
    startService,
    async restart(kind, restartOpts = {}) {
      await stopService(kind);
      if (restartOpts.downMs !== undefined && restartOpts.downMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, restartOpts.downMs));
      }
      await startService(kind);
    },
  };
}
