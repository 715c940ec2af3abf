// `streamsoft services start|stop|status`: the local stand-ins as background processes.
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { envOption } from '../../cli/options';
import { parseConfig, positiveSeconds } from '../../core/validation';
import { DEFAULT_DATA_DIR, dataDirLayout } from '../../core/paths';
import {
  DEFAULT_KAFKA_SCRAM_PORT,
  DEFAULT_KAFKA_TLS_PORT,
  KAFKA_SECURITY_MODES,
  type KafkaSecurity,
} from './kafka-security';
import { addServicePortOptions, servicePort, servicePortFields } from './port-options';
import { SERVICE_NAMES, type ServiceName } from './service';
import { type ServicesConfig, servicesStatus, startServices, stopServices } from './supervisor';

const servicesOptions = z
  .object({
    dataDir: z.string().min(1),
    only: z.string().transform((value, ctx) => {
      const names = value.split(',').map((part) => part.trim());
      const unknown = names.find((name) => !(SERVICE_NAMES as readonly string[]).includes(name));
      if (unknown !== undefined || names.length === 0) {
        ctx.addIssue({ code: 'custom', message: `must be one or more of ${SERVICE_NAMES.join(', ')}` });
        return z.NEVER;
      }
      return SERVICE_NAMES.filter((name) => names.includes(name));
    }),
    ...servicePortFields,
    kafkaSecurity: z.enum(KAFKA_SECURITY_MODES as [KafkaSecurity, ...KafkaSecurity[]], {
      message: `must be ${KAFKA_SECURITY_MODES.join(', ')}`,
    }),
    kafkaTlsPort: servicePort,
    kafkaScramPort: servicePort,
    startTimeout: positiveSeconds,
    json: z.boolean().default(false),
  })
  .superRefine((options, ctx) => {
    const secure = { none: [], tls: ['kafkaTlsPort'], scram: ['kafkaTlsPort', 'kafkaScramPort'] } as const;
    const keys = [
      'kinesisPort',
      'kafkaPort',
      'kafkaControllerPort',
      'registryPort',
      ...secure[options.kafkaSecurity],
    ] as const;
    keys.forEach((key, i) => {
      const clash = keys.slice(0, i).find((other) => options[other] === options[key]);
      if (clash !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `must differ from --${clash.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`,
        });
      }
    });
  });

type ServicesOptions = z.infer<typeof servicesOptions>;

function toConfig(options: ServicesOptions): ServicesConfig & { names: ServiceName[] } {
  return {
    names: options.only,
    dataDir: options.dataDir,
    ports: {
      kinesis: options.kinesisPort,
      kafka: options.kafkaPort,
      kafkaController: options.kafkaControllerPort,
      registry: options.registryPort,
      kafkaTls: options.kafkaSecurity === 'none' ? undefined : options.kafkaTlsPort,
      kafkaScram: options.kafkaSecurity === 'scram' ? options.kafkaScramPort : undefined,
    },
    startTimeoutMs: options.startTimeout * 1000,
    quietSetup: false,
  };
}

function addCommonOptions(command: Command): Command {
  command
    .addOption(envOption('--data-dir <dir>', 'local state: data, logs, pid files', DEFAULT_DATA_DIR))
    .addOption(
      envOption(
        '--only <services>',
        'comma-separated subset of kinesis,kafka,registry',
        SERVICE_NAMES.join(','),
      ),
    );
  return addServicePortOptions(command)
    .addOption(
      envOption(
        '--kafka-security <mode>',
        'Kafka listeners besides plaintext: none, tls (TLS), scram (TLS and SASL/SCRAM over TLS)',
        'none',
      ),
    )
    .addOption(
      envOption('--kafka-tls-port <port>', 'Kafka TLS listener port', String(DEFAULT_KAFKA_TLS_PORT)),
    )
    .addOption(
      envOption(
        '--kafka-scram-port <port>',
        'Kafka SASL/SCRAM-over-TLS listener port',
        String(DEFAULT_KAFKA_SCRAM_PORT),
      ),
    )
    .addOption(
      envOption('--start-timeout <seconds>', 'how long each service may take to become healthy', '90'),
    );
}

const write = (line: string): void => void process.stdout.write(`${line}\n`);

export function registerServicesCommand(program: Command): void {
  const services = program
    .command('services')
    .description('Run the local stand-ins (kinesalite, Kafka, Apicurio Registry) in the background');

  addCommonOptions(
    services.command('start').description('start the stand-ins and wait until they are healthy'),
  ).action(async (raw: Record<string, unknown>) => {
    const config = toConfig(parseConfig(servicesOptions, raw));
    if (process.stderr.isTTY) {
      const logs = path.relative(process.cwd(), dataDirLayout(config.dataDir).logs) || '.';
      process.stderr.write(`waiting for ${config.names.join(', ')} to answer (logs in ${logs}/)\n`);
    }
    await startServices(config.names, config, ({ state, record, ms }) => {
      if (state === 'already-running') write(`${record.name} already running at ${record.endpoint}`);
      else
        write(
          `${record.name} started at ${record.endpoint} (pid ${record.pid}, ${(ms / 1000).toFixed(1)} s)`,
        );
    });
  });

  addCommonOptions(services.command('stop').description('stop the stand-ins this data dir started')).action(
    async (raw: Record<string, unknown>) => {
      const config = toConfig(parseConfig(servicesOptions, raw));
      for (const { name, pid } of await stopServices(config.names, config.dataDir)) {
        write(pid === undefined ? `${name} not running` : `${name} stopped (pid ${pid})`);
      }
    },
  );

  addCommonOptions(services.command('status').description('show each stand-in, its endpoint and health'))
    .addOption(envOption('--json', 'machine-readable output'))
    .action(async (raw: Record<string, unknown>) => {
      const options = parseConfig(servicesOptions, raw);
      const config = toConfig(options);
      const statuses = await servicesStatus(config.names, config);
      if (options.json) {
        const rows = statuses.map(({ name, endpoint, pid, running, healthy, listeners }) => ({
          name,
          endpoint,
          pid,
          running,
          healthy,
          ...(listeners === undefined ? {} : { listeners }),
        }));
        write(JSON.stringify(rows, null, 2));
        return;
      }
      for (const status of statuses) {
        const state = !status.running ? 'stopped' : status.healthy ? 'healthy' : 'unhealthy';
        const pid = status.pid === null ? '' : ` (pid ${status.pid})`;
        write(`${status.name.padEnd(9)}${state.padEnd(10)}${status.endpoint}${pid}`);
        for (const listener of status.listeners ?? []) {
          if (listener.name === 'PLAINTEXT') continue;
          const trust = listener.caFile === undefined ? '' : ` (CA ${listener.caFile})`;
          write(`${''.padEnd(19)}${listener.name} ${listener.endpoint}${trust}`);
        }
      }
    });
}
