// `streamsoft produce`: simulated trades, Avro-framed with the registry's schema id, through the chosen
// transport, with live progress and a final summary; SIGINT/SIGTERM stop cleanly, a second one at once.
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Type, type Schema } from 'avsc';
import type { Command } from 'commander';
import { parseConfig } from '../core/validation';
import { ConfigError, SchemaError, TransportError } from '../core/errors';
import { logger as rootLogger, type Logger } from '../core/logger';
import { createTransport } from '../connectors/create-transport';
import { RegistryClient } from '../connectors/serde/registry-client';
import { createTradeSerde, TRADE_FIELD_NAMES, type TradeSerde } from '../connectors/serde/trade-serde';
import { DEFAULT_COMPATIBILITY } from '../schemas/compatibility-levels';
import { checkSchema, registerSchemas, tradeSchemasUpTo } from '../schemas/registration';
import { subjectFor } from '../schemas/trade';
import { isTradeSchemaVersion, type TradeSchemaVersion } from '../schemas/trade-schemas';
import { addProduceOptions, produceConfigSchema, type ProduceConfig } from './config';
import { fieldValuesFor } from './field-values';
import { progressLine } from './progress';
import { RecordFile } from './record-file';
import { runProducer, type ProducerSummary } from './run-producer';
import { TradeSimulator } from './trade-simulator';

export function registerProduceCommand(program: Command): void {
  addProduceOptions(
    program
      .command('produce')
      .description(
        'Produce simulated trades to Kinesis (default) or MSK/Kafka, Avro-framed with the registry',
      ),
  ).action(async (raw: Record<string, unknown>) => {
    const config = parseConfig(produceConfigSchema, raw);
    await produce(config);
  });
}

export interface ProduceResult {
  seed: number;
  summary: ProducerSummary;
}

/** Runs one produce session to its end; throws TransportError when some records were not confirmed. */
export async function produce(config: ProduceConfig): Promise<ProduceResult> {
  const log = rootLogger('producer');
  const seed = config.seed ?? randomInt(2 ** 31);
  const subject = subjectFor(config.transport === 'kinesis' ? config.stream : config.topic);
  const opened = await openWriterSerde(config, subject, log);
  const { version } = opened;
  // --set is checked against the writer schema, known only now, before anything is sent.
  const serde = opened.serde.withFields(
    fieldValuesFor(opened.serde.writerType, TRADE_FIELD_NAMES, config.set),
  );

  const transport = createTransport({
    kind: config.transport,
    kinesis: {
      endpoint: config.kinesisEndpoint === 'aws' ? undefined : config.kinesisEndpoint,
      region: config.region,
      streamName: config.stream,
      shards: config.shards,
      createStream: config.createStream,
      concurrency: config.concurrency,
    },
    kafka: {
      brokers: config.kafkaBrokers,
      topic: config.topic,
      partitions: config.partitions,
      createTopic: config.createTopic,
      auth: kafkaAuth(config),
      caFile: config.kafkaCaFile,
      compression: config.compression,
    },
    retry: { attempts: config.retryAttempts },
    logger: log,
  });
  try {
    await transport.connect();
  } catch (error) {
    await transport.close().catch(() => undefined);
    throw error;
  }

  const recordFile = config.recordFile === undefined ? undefined : new RecordFile(config.recordFile, version);
  const progress = progressLine();
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) {
      process.stderr.write(`\nstreamsoft: second ${signal}, exiting without flushing\n`);
      process.exit(130);
    }
    progress.done();
    log.info({ signal }, 'stopping: flushing records in flight (send the signal again to exit at once)');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let summary: ProducerSummary;
  try {
    log.info(
      {
        target: transport.target,
        schemaId: serde.schemaId,
        seed,
        set: config.set,
        jumpRate: config.jumpRate,
        jumpSize: config.jumpSize,
      },
      'producing trades',
    );
    summary = await runProducer(
      { rate: config.rate, count: config.count, durationMs: config.duration },
      {
        simulator: simulatorFor(config, seed),
        encoder: serde,
        transport,
        logger: log,
        signal: stop.signal,
        onAcked: recordFile === undefined ? undefined : (record) => recordFile.write(record),
        onProgress: (snapshot) => progress.update(snapshot),
      },
    );
  } finally {
    progress.done();
    await transport
      .close()
      .catch((error: unknown) => log.warn({ err: error }, 'closing the transport failed'));
    await recordFile?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  process.stdout.write(
    config.json ? JSON.stringify({ seed, ...summary }) + '\n' : humanSummary(seed, summary),
  );
  if (summary.failed > 0) {
    throw new TransportError(
      `${summary.failed} of ${summary.sent} records were not confirmed by ${summary.target}: ${summary.error ?? 'unknown error'}`,
    );
  }
  return { seed, summary };
}

/** The trades a produce session sends for this configuration and seed. */
export function simulatorFor(config: ProduceConfig, seed: number, clock?: () => number): TradeSimulator {
  return new TradeSimulator({
    seed,
    clock,
    dupRatio: config.dupRatio,
    badRatio: config.badRatio,
    lateRatio: config.lateRatio,
    jumps: { rate: config.jumpRate, size: config.jumpSize },
  });
}

/** An Avro schema file's JSON; a ConfigError naming --schema-file when it cannot be read or parsed. */
function avroTypeOf(path: string, schema: Record<string, unknown>): Type {
  try {
    return Type.forSchema(schema as Schema);
  } catch (error) {
    throw new ConfigError(`--schema-file: ${path} is not an Avro schema: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function readSchemaFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`--schema-file: cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`--schema-file: ${path} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** The subject's version number holding schema id `id` (newest first: a new registration is the last). */
async function versionOfId(registry: RegistryClient, subject: string, id: number): Promise<number> {
  const versions = await registry.versions(subject);
  for (const version of [...versions].reverse()) {
    if ((await registry.version(subject, version)).id === id) return version;
  }
  throw new SchemaError('UNKNOWN_SCHEMA_ID', `schema id ${id} is not a version of subject ${subject}`);
}

/**
 * The writer serde and the subject version it writes: `--schema-file` is registered (the registry refuses
 * an incompatible one, naming why) and written; a shipped `--schema-version` (1, 2) is registered when the
 * subject lacks it; any other `--schema-version` must be a version registered for the subject.
 */
export async function openWriterSerde(
  config: ProduceConfig,
  subject: string,
  log: Logger,
): Promise<{ serde: TradeSerde; version: number }> {
  const { registryUrl, schemaVersion, schemaFile } = config;
  if (schemaFile === undefined && isTradeSchemaVersion(schemaVersion)) {
    return { serde: await openSerde(registryUrl, subject, schemaVersion, log), version: schemaVersion };
  }
  const registry = new RegistryClient({ url: registryUrl, logger: log });
  try {
    let schemaId: number;
    let version = schemaVersion;
    if (schemaFile !== undefined) {
      const schema = readSchemaFile(schemaFile);
      // --set is checked against the file before it is registered: a refused --set registers nothing.
      fieldValuesFor(avroTypeOf(schemaFile, schema), TRADE_FIELD_NAMES, config.set);
      // Checked here first so the refusal names the field (registries often do not), at the subject's level
      // or BACKWARD when it has none, as `streamsoft schemas check` does.
      const verdict = await checkSchema(registry, subject, schema, undefined, DEFAULT_COMPATIBILITY);
      if (!verdict.compatible) {
        throw new SchemaError(
          'INCOMPATIBLE_SCHEMA',
          `--schema-file: ${schemaFile} is not ${verdict.level} compatible with ${subject}: ${verdict.reason ?? 'the registry refuses it'}`,
        );
      }
      schemaId = await registry.register(subject, schema);
      version = await versionOfId(registry, subject, schemaId);
      log.info({ subject, schemaFile, id: schemaId, version }, 'registered the schema file');
    } else {
      const versions = await registry.versions(subject);
      if (!versions.includes(schemaVersion)) {
        throw new ConfigError(
          `--schema-version: version ${schemaVersion} is not registered under subject ${subject} (registered: ${versions.join(', ') || 'none'})`,
        );
      }
      schemaId = (await registry.version(subject, schemaVersion)).id;
    }
    const serde = await createTradeSerde({ registryUrl, subject, schemaId, logger: log, registry });
    return { serde, version };
  } catch (error) {
    if (error instanceof SchemaError && error.code === 'REGISTRY_UNAVAILABLE') {
      throw new ConfigError(`--registry-url: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/**
 * The writer serde of a shipped Trade version. When the subject lacks it, it is registered as Confluent
 * serializers do, but as `schemas register --version <n>` does: the versions up to the one written, at the
 * subject's compatibility level (the default level on a new subject, which is then set), and a rejection
 * names the field that breaks compatibility.
 */
export async function openSerde(
  registryUrl: string,
  subject: string,
  schemaVersion: TradeSchemaVersion,
  log: Logger,
): Promise<TradeSerde> {
  const registry = new RegistryClient({ url: registryUrl, logger: log });
  try {
    try {
      return await createTradeSerde({ registryUrl, subject, schemaVersion, logger: log, registry });
    } catch (error) {
      if (!(error instanceof SchemaError && error.code === 'UNKNOWN_SCHEMA_ID')) throw error;
      const level = (await registry.compatibility(subject)) ?? DEFAULT_COMPATIBILITY;
      const registered = await registerSchemas(registry, subject, tradeSchemasUpTo(schemaVersion), level);
      log.info({ subject, schemaVersion, level, registered }, 'registered the Trade schema');
      return await createTradeSerde({ registryUrl, subject, schemaVersion, logger: log, registry });
    }
  } catch (error) {
    if (error instanceof SchemaError && error.code === 'REGISTRY_UNAVAILABLE') {
      throw new ConfigError(`--registry-url: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function kafkaAuth(config: ProduceConfig) {
  switch (config.kafkaAuth) {
    case 'scram':
      return {
        mode: 'scram' as const,
        username: config.kafkaUsername ?? '',
        password: config.kafkaPassword ?? '',
      };
    case 'iam':
      if (config.region === undefined) throw new ConfigError('--region: required with --kafka-auth iam');
      return { mode: 'iam' as const, region: config.region };
    default:
      return { mode: config.kafkaAuth };
  }
}

function humanSummary(seed: number, s: ProducerSummary): string {
  const lines = [
    `produced to ${s.target} (schema id ${s.schemaId}, seed ${seed}), stopped by ${s.stoppedBy}`,
    `  sent ${s.sent}  acked ${s.acked}  retried ${s.retried}  failed ${s.failed}  throttled ${s.throttled}`,
    `  injected: ${s.injected.duplicates} duplicates, ${s.injected.bad} bad, ${s.injected.late} late`,
    `  ${(s.durationMs / 1000).toFixed(1)} s, ${s.rate} records/s, ${(s.bytes / 1e6).toFixed(2)} MB, ` +
      `ack latency p50 ${s.ackLatencyMs.p50} ms, p99 ${s.ackLatencyMs.p99} ms`,
  ];
  return lines.join('\n') + '\n';
}
