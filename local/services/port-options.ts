// The stand-ins' port flags, shared by `services` and `up`: one definition, one validation.
import type { Command } from 'commander';
import { envOption } from '../../cli/options';
import { DEFAULT_PORTS } from '../../core/local-endpoints';
import { port } from '../../core/validation';

/** One port flag's validation (also the opt-in Kafka TLS and SCRAM listener ports). */
export const servicePort = port;

/** zod fields for the four port flags, to spread into a command's options schema. */
export const servicePortFields = {
  kinesisPort: port,
  kafkaPort: port,
  kafkaControllerPort: port,
  registryPort: port,
};

export function addServicePortOptions(command: Command): Command {
  return command
    .addOption(envOption('--kinesis-port <port>', 'kinesalite port', String(DEFAULT_PORTS.kinesis)))
    .addOption(envOption('--kafka-port <port>', 'Kafka broker port', String(DEFAULT_PORTS.kafka)))
    .addOption(
      envOption(
        '--kafka-controller-port <port>',
        'Kafka KRaft controller port',
        String(DEFAULT_PORTS.kafkaController),
      ),
    )
    .addOption(envOption('--registry-port <port>', 'schema registry port', String(DEFAULT_PORTS.registry)));
}
