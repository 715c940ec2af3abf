// The Kafka stand-in: one Apache Kafka 4.1 process in KRaft mode (broker and controller), from the jars
// `streamsoft setup` fetched, its log segments under <data-dir>/kafka.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ServiceError } from '../../core/errors';
import { findJava, MIN_JAVA_KAFKA } from '../setup/prerequisites';
import { toolLocations } from '../setup/tools';
import {
  ensureCertificates,
  kafkaListeners,
  scramFormatArgs,
  securityFiles,
  securityOf,
  securitySettings,
} from './kafka-security';
import { LOOPBACK } from './processes';
import type { ServiceDefinition, ServicePorts } from './service';

const NODE_ID = 1;

/**
 * Broker settings; a static single-voter quorum, so a restart on other ports still finds its controller.
 * The plaintext listener is always there (the health probe and the broker's own traffic use it); the TLS
 * and SASL_SSL listeners are added when their ports are given, with `security` their server.properties.
 */
export function serverProperties(
  ports: ServicePorts,
  logDir: string,
  security: Record<string, string> = {},
): string {
  const clientListeners = [
    `PLAINTEXT://${LOOPBACK}:${ports.kafka}`,
    ...(ports.kafkaTls === undefined ? [] : [`SSL://${LOOPBACK}:${ports.kafkaTls}`]),
    ...(ports.kafkaScram === undefined ? [] : [`SASL_SSL://${LOOPBACK}:${ports.kafkaScram}`]),
  ];
  const protocols = clientListeners.map((listener) => listener.split(':')[0]!);
  const settings: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': NODE_ID,
    'controller.quorum.voters': `${NODE_ID}@${LOOPBACK}:${ports.kafkaController}`,
    listeners: [...clientListeners, `CONTROLLER://${LOOPBACK}:${ports.kafkaController}`].join(','),
    'advertised.listeners': clientListeners.join(','),
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': [
      ...protocols.map((name) => `${name}:${name}`),
      'CONTROLLER:PLAINTEXT',
    ].join(','),
    'log.dirs': logDir,
    'num.partitions': 4,
    'auto.create.topics.enable': 'true',
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'log.retention.hours': 168,
    ...security,
  };
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')
    .concat('\n');
}

/**
 * A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (what `kafka-storage random-uuid`
 * prints). Like Kafka's Uuid.randomUuid, never one starting with `-`: the storage tool would read it as an
 * option and fail the format (1 start in 64 did).
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function jvmArgs(layout: { root: string }, log4j: string): string[] {
  return [
    '-Xms128m',
    '-Xmx512m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4j}`,
    `-Dstreamsoft.service=kafka`,
    `-Dstreamsoft.dataDir=${layout.root}`,
    '-cp',
    path.join(toolLocations.kafkaJars, '*'),
  ];
}

/**
 * Formats the storage directory once (with the SCRAM user when `extra` adds one); later starts find
 * meta.properties and skip it. `scramMarker` records that the format created the SCRAM user.
 */
function formatStorage(
  java: string,
  args: string[],
  properties: string,
  logDir: string,
  log: string,
  scram: { args: string[]; marker: string },
): void {
  if (fs.existsSync(path.join(logDir, 'meta.properties'))) {
    if (scram.args.length > 0 && !fs.existsSync(scram.marker)) {
      throw new ServiceError(
        `the Kafka storage in ${logDir} was formatted without SCRAM users; ` +
          'start with --kafka-security scram on a fresh --data-dir',
      );
    }
    return;
  }
  fs.mkdirSync(logDir, { recursive: true });
  const fd = fs.openSync(log, 'a');
  try {
    const result = spawnSync(
      java,
      [...args, 'kafka.tools.StorageTool', 'format', '-t', newClusterId(), '-c', properties, ...scram.args],
      { stdio: ['ignore', fd, fd], timeout: 120_000 },
    );
    if (result.status !== 0) {
      const why =
        result.error?.message ??
        (result.signal !== null ? `killed by ${result.signal}` : `exit ${result.status}`);
      const tail = fs.readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | ');
      throw new ServiceError(`kafka storage format failed (${why}): ${tail} (log ${log})`);
    }
  } finally {
    fs.closeSync(fd);
  }
  if (scram.args.length > 0) fs.writeFileSync(scram.marker, `${new Date().toISOString()}\n`);
}

export function kafkaProbe(endpoint: string): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'streamsoft-health',
    brokers: [endpoint],
    connectionTimeout: 1500,
    requestTimeout: 3000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  return admin
    .connect()
    .then(() => admin.describeCluster())
    .then((cluster) => cluster.brokers.length > 0 && cluster.controller !== null)
    .catch(() => false)
    .finally(() => admin.disconnect().catch(() => undefined));
}

export const kafkaService: ServiceDefinition = {
  name: 'kafka',
  endpoint: (ports) => `${LOOPBACK}:${ports.kafka}`,
  ports: (ports) =>
    [ports.kafka, ports.kafkaController, ports.kafkaTls, ports.kafkaScram].flatMap((port) =>
      port === undefined ? [] : [port],
    ),
  listeners: (ports, layout) => kafkaListeners(ports, securityFiles(layout.services)),
  stopGraceMs: 20_000,
  preflight: () => void findJava(MIN_JAVA_KAFKA, 'the Kafka broker'),
  async prepare({ layout, ports, log }) {
    if (!fs.existsSync(toolLocations.kafkaJars)) {
      throw new ServiceError(
        `the Kafka jars are missing (${toolLocations.kafkaJars}); run: streamsoft setup --only jars`,
      );
    }
    const java = findJava(MIN_JAVA_KAFKA, 'the Kafka broker');
    const configDir = path.join(layout.services, 'kafka');
    const properties = path.join(configDir, 'server.properties');
    const logDir = path.join(layout.root, 'kafka');
    fs.mkdirSync(configDir, { recursive: true });
    const files = securityFiles(layout.services);
    if (securityOf(ports) !== 'none') ensureCertificates(java.command, files, log);
    fs.writeFileSync(properties, serverProperties(ports, logDir, securitySettings(ports, files)));
    const args = jvmArgs(layout, toolLocations.kafkaLog4j);
    const scram = { args: scramFormatArgs(ports, files), marker: path.join(files.dir, 'scram-formatted') };
    formatStorage(java.command, args, properties, logDir, log, scram);
    return {
      command: java.command,
      args: [...args, 'kafka.Kafka', properties],
      markers: ['-Dstreamsoft.service=kafka', `-Dstreamsoft.dataDir=${layout.root}`],
    };
  },
  probe: kafkaProbe,
};
