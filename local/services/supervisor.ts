// Starts, stops and inspects the stand-ins through their pid and endpoint files in <data-dir>/run/, so
// that `services`, `up` and the tests all see the same state and only ever stop what they started.
import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError, ServiceError } from '../../core/errors';
import { type DataDirLayout, dataDirLayout } from '../../core/paths';
import { ensureSetup } from '../setup/run-setup';
import type { SetupGroup } from '../setup/steps';
import { kafkaService } from './kafka';
import { kinesisService } from './kinesis';
import { isOurProcess, isPortFree, launchDetached, terminate } from './processes';
import { registryService } from './registry';
import {
  SERVICE_NAMES,
  type ServiceDefinition,
  type ServiceListener,
  type ServiceName,
  type ServicePorts,
} from './service';

export const SERVICES: Record<ServiceName, ServiceDefinition> = {
  kinesis: kinesisService,
  kafka: kafkaService,
  registry: registryService,
};

export interface ServicesConfig {
  dataDir: string;
  ports: ServicePorts;
  /** How long a start may take to become healthy before it is stopped and reported. */
  startTimeoutMs?: number;
  /** Fetch missing jars without progress output (tests); the CLI shows it. Default true. */
  quietSetup?: boolean;
}

/** What <data-dir>/run/<name>.json holds about a running stand-in. */
export interface RunRecord {
  name: ServiceName;
  pid: number;
  endpoint: string;
  ports: number[];
  markers: string[];
  log: string;
  startedAt: string;
  /** Each listener, its port and what a client must trust, for services with several (Kafka). */
  listeners?: ServiceListener[];
}

export interface ServiceStatus {
  name: ServiceName;
  endpoint: string;
  pid: number | null;
  running: boolean;
  healthy: boolean;
  log: string;
  listeners?: ServiceListener[];
}

export type StartOutcome = { state: 'started' | 'already-running'; record: RunRecord; ms: number };

const DEFAULT_START_TIMEOUT_MS = 90_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function runFiles(layout: DataDirLayout, name: ServiceName): { pid: string; record: string } {
  return { pid: path.join(layout.run, `${name}.pid`), record: path.join(layout.run, `${name}.json`) };
}

export function logFile(layout: DataDirLayout, name: ServiceName): string {
  return path.join(layout.logs, `${name}.log`);
}

export function readRunRecord(layout: DataDirLayout, name: ServiceName): RunRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(runFiles(layout, name).record, 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

function writeRunRecord(layout: DataDirLayout, record: RunRecord): void {
  fs.mkdirSync(layout.run, { recursive: true });
  const files = runFiles(layout, record.name);
  fs.writeFileSync(files.pid, `${record.pid}\n`);
  fs.writeFileSync(files.record, `${JSON.stringify(record, null, 2)}\n`);
}

function removeRunRecord(layout: DataDirLayout, name: ServiceName): void {
  const files = runFiles(layout, name);
  fs.rmSync(files.pid, { force: true });
  fs.rmSync(files.record, { force: true });
}

/** The record of a stand-in that is running now; a record whose process is gone or not ours is removed. */
export function liveRecord(layout: DataDirLayout, name: ServiceName): RunRecord | undefined {
  const record = readRunRecord(layout, name);
  if (record === undefined) return undefined;
  if (isOurProcess(record.pid, record.markers)) return record;
  removeRunRecord(layout, name);
  return undefined;
}

/** The setup groups the given stand-ins run from (kinesalite comes with npm). */
export function setupGroupsFor(names: readonly ServiceName[]): SetupGroup[] {
  const groups: SetupGroup[] = [];
  if (names.includes('kafka')) groups.push('jars');
  if (names.includes('registry')) groups.push('apicurio');
  return groups;
}

async function waitHealthy(service: ServiceDefinition, record: RunRecord, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await service.probe(record.endpoint)) return;
    if (!isOurProcess(record.pid, record.markers)) {
      throw new ServiceError(`${service.name} exited during start; see ${record.log}`);
    }
    if (Date.now() > deadline) {
      throw new ServiceError(
        `${service.name} did not become healthy within ${Math.round(timeoutMs / 1000)} s; see ${record.log}`,
      );
    }
    await sleep(300);
  }
}

async function assertPortsFree(name: ServiceName, ports: number[]): Promise<void> {
  for (const port of ports) {
    if (!(await isPortFree(port))) {
      throw new EnvironmentError(`port ${port} for ${name} is already in use by another process`);
    }
  }
}

/** Starts one stand-in unless it is already running; resolves once it answers its health check. */
export async function startService(name: ServiceName, config: ServicesConfig): Promise<StartOutcome> {
  const service = SERVICES[name];
  const layout = dataDirLayout(config.dataDir);
  const started = Date.now();
  const timeoutMs = config.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const existing = liveRecord(layout, name);
  if (existing !== undefined) {
    await waitHealthy(service, existing, timeoutMs);
    return { state: 'already-running', record: existing, ms: Date.now() - started };
  }
  const ports = service.ports(config.ports);
  await assertPortsFree(name, ports);
  fs.mkdirSync(layout.logs, { recursive: true });
  const log = logFile(layout, name);
  fs.appendFileSync(log, `\n# streamsoft: starting ${name} at ${new Date().toISOString()}\n`);
  const spec = await service.prepare({ layout, ports: config.ports, log });
  const pid = launchDetached(spec, log);
  const record: RunRecord = {
    name,
    pid,
    endpoint: service.endpoint(config.ports),
    ports,
    markers: spec.markers,
    log,
    startedAt: new Date().toISOString(),
    listeners: service.listeners?.(config.ports, layout),
  };
  writeRunRecord(layout, record);
  try {
    await waitHealthy(service, record, timeoutMs);
  } catch (error) {
    await terminate(pid, record.markers, service.stopGraceMs);
    removeRunRecord(layout, name);
    throw error;
  }
  return { state: 'started', record, ms: Date.now() - started };
}

/** Stops one stand-in if a run record of ours says it runs; returns the pid it stopped. */
export async function stopService(name: ServiceName, dataDir: string): Promise<number | undefined> {
  const layout = dataDirLayout(dataDir);
  const record = liveRecord(layout, name);
  if (record === undefined) return undefined;
  await terminate(record.pid, record.markers, SERVICES[name].stopGraceMs);
  if (isOurProcess(record.pid, record.markers)) {
    throw new ServiceError(`${name} (pid ${record.pid}) did not stop; see ${record.log}`);
  }
  removeRunRecord(layout, name);
  return record.pid;
}

export async function serviceStatus(name: ServiceName, config: ServicesConfig): Promise<ServiceStatus> {
  const layout = dataDirLayout(config.dataDir);
  const record = liveRecord(layout, name);
  const endpoint = record?.endpoint ?? SERVICES[name].endpoint(config.ports);
  const log = logFile(layout, name);
  if (record === undefined) return { name, endpoint, pid: null, running: false, healthy: false, log };
  const healthy = await SERVICES[name].probe(record.endpoint);
  return { name, endpoint, pid: record.pid, running: true, healthy, log, listeners: record.listeners };
}

/** Starts several stand-ins at once (their JVMs warm up in parallel); fails with every failure's line. */
export async function startServices(
  names: readonly ServiceName[],
  config: ServicesConfig,
  onStarted: (outcome: StartOutcome) => void = () => undefined,
): Promise<StartOutcome[]> {
  await ensureSetup({ quiet: config.quietSetup ?? true, only: setupGroupsFor(names) });
  // Check everything before starting anything, so a taken port or a missing JDK leaves nothing behind.
  const layout = dataDirLayout(config.dataDir);
  for (const name of names) {
    if (liveRecord(layout, name) !== undefined) continue;
    SERVICES[name].preflight();
    await assertPortsFree(name, SERVICES[name].ports(config.ports));
  }
  const results = await Promise.allSettled(
    names.map(async (name) => {
      const outcome = await startService(name, config);
      onStarted(outcome);
      return outcome;
    }),
  );
  const failures = results.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  );
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    const first = failures[0];
    const lines = failures.map((failure) => (failure instanceof Error ? failure.message : String(failure)));
    const Kind = first instanceof EnvironmentError ? EnvironmentError : ServiceError;
    throw new Kind(lines.join('; '), { cause: first });
  }
  return results.map((result) => (result as PromiseFulfilledResult<StartOutcome>).value);
}

/** Stops in reverse start order, so clients (none of ours) never see the registry without its broker. */
export async function stopServices(
  names: readonly ServiceName[],
  dataDir: string,
): Promise<Array<{ name: ServiceName; pid: number | undefined }>> {
  const order = SERVICE_NAMES.filter((name) => names.includes(name)).reverse();
  const stopped: Array<{ name: ServiceName; pid: number | undefined }> = [];
  for (const name of order) stopped.push({ name, pid: await stopService(name, dataDir) });
  return stopped;
}

export function servicesStatus(
  names: readonly ServiceName[],
  config: ServicesConfig,
): Promise<ServiceStatus[]> {
  return Promise.all(names.map((name) => serviceStatus(name, config)));
}
