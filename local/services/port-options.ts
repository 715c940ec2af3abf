// The stand-ins' port flags, shared by `services` and `up`: one definition, one validation.
import type { Command } from 'commander';
import { z } from 'zod';
import { envOption } from '../../cli/options';
import { DEFAULT_PORTS } from './service';

const PORT_MESSAGE = 'must be a port number 1-65535';

export const servicePort = z.coerce
  .number({ error: PORT_MESSAGE })
  .int(PORT_MESSAGE)
  .min(1, PORT_MESSAGE)
  .max(65535, PORT_MESSAGE);

/** zod fields for the four port flags, to spread into a command's options schema. */
export const servicePortFields = {
  kinesisPort: servicePort,
  kafkaPort: servicePort,
  kafkaControllerPort: servicePort,
  registryPort: servicePort,
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
