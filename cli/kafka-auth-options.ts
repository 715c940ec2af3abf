// The Kafka client-authentication flags, shared by `produce` and `jobs bronze`: one definition of the
// four flags and their validation, so the producer and the job cannot accept different modes.
import type { Command } from 'commander';
import { z } from 'zod';
import { envOption } from './options';

/** The modes both clients speak: plaintext, TLS, SASL/SCRAM-SHA-512 over TLS, Amazon MSK IAM. */
export const KAFKA_AUTH_MODES = ['none', 'tls', 'scram', 'iam'] as const;
const MODES_TEXT = `${KAFKA_AUTH_MODES.slice(0, -1).join(', ')} or ${KAFKA_AUTH_MODES.at(-1)}`;

/**
 * Adds --kafka-auth, --kafka-username, --kafka-password and --kafka-ca-file. `defaultTrust` names the
 * store a TLS client trusts when no CA file is given (the system's for Node, the JVM's for Spark).
 */
export function addKafkaAuthOptions(command: Command, defaultTrust: string): Command {
  return command
    .addOption(envOption('--kafka-auth <mode>', `Kafka authentication: ${MODES_TEXT}`, 'none'))
    .addOption(envOption('--kafka-username <name>', 'SASL/SCRAM user name'))
    .addOption(envOption('--kafka-password <secret>', 'SASL/SCRAM password'))
    .addOption(
      envOption(
        '--kafka-ca-file <pem>',
        `CA certificates to trust for Kafka TLS (default: ${defaultTrust}, as for Amazon MSK)`,
      ),
    );
}

/** zod fields for the four flags, to spread into a command's options schema. */
export const kafkaAuthFields = {
  kafkaAuth: z.enum(KAFKA_AUTH_MODES, { message: `must be ${MODES_TEXT}` }),
  kafkaUsername: z.string().optional(),
  kafkaPassword: z.string().optional(),
  kafkaCaFile: z.string().min(1).optional(),
};
