// What every stand-in has in common: its name, the ports it binds, how to launch it and how to tell it
// is healthy. The definitions (kinesis.ts, kafka.ts, registry.ts) know nothing of pid files or the CLI.
import type { DataDirLayout } from '../../core/paths';
import type { ServicePorts } from '../../core/local-endpoints';
import type { LaunchSpec } from './processes';

export type ServiceName = 'kinesis' | 'kafka' | 'registry';
export const SERVICE_NAMES: readonly ServiceName[] = ['kinesis', 'kafka', 'registry'];

export { DEFAULT_PORTS, type ServicePorts } from '../../core/local-endpoints';

/** One listener of a stand-in, as `services status --json` shows it: what a client needs to connect. */
export interface ServiceListener {
  name: 'PLAINTEXT' | 'SSL' | 'SASL_SSL';
  port: number;
  endpoint: string;
  /** The CA certificate (PEM) a client must trust; TLS listeners only. */
  caFile?: string;
  /** SASL/SCRAM listeners: the mechanism, the user, and the file holding its password. */
  saslMechanism?: string;
  username?: string;
  passwordFile?: string;
}

export interface ServiceContext {
  layout: DataDirLayout;
  ports: ServicePorts;
  /** Where this service's stdout and stderr go. */
  log: string;
}

export interface ServiceDefinition {
  name: ServiceName;
  /** What clients connect to, e.g. `http://127.0.0.1:4567` or `127.0.0.1:9092`. */
  endpoint(ports: ServicePorts): string;
  /** The configured ports this service listens on; each must be free before it starts. */
  ports(ports: ServicePorts): number[];
  /** Throws an EnvironmentError when the runtime it needs (a JDK) is missing, before anything starts. */
  preflight(): void;
  /** Writes config, formats storage on first start, finds the runtime; returns how to launch it. */
  prepare(context: ServiceContext): Promise<LaunchSpec>;
  /** The listeners a service with these ports binds, when it has more than its endpoint. */
  listeners?(ports: ServicePorts, layout: DataDirLayout): ServiceListener[];
  /** One health probe; resolves false (never rejects) when the service does not answer yet. */
  probe(endpoint: string): Promise<boolean>;
  /** How long a clean shutdown may take before SIGKILL. */
  stopGraceMs: number;
}
