// Makes sure the target topic exists (created with N partitions when missing) and reports its partition count.
import type { Kafka } from 'kafkajs';
import { TransportError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { toTransportError } from './errors';

export interface EnsureTopicOptions {
  topic: string;
  partitions: number;
  create: boolean;
  logger: Logger;
}

export async function ensureTopic(kafka: Kafka, options: EnsureTopicOptions): Promise<number> {
  const { topic, partitions, create, logger } = options;
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) {
      if (!create) throw new TransportError(`Kafka topic ${topic} does not exist (use --create-topic)`);
      // replicationFactor -1: the cluster's default (1 locally, 3 on a multi-AZ MSK cluster).
      const created = await admin.createTopics({
        topics: [{ topic, numPartitions: partitions, replicationFactor: -1 }],
        waitForLeaders: true,
      });
      if (created) logger.info({ topic, partitions }, 'created Kafka topic');
    }
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const count = metadata.topics[0]?.partitions.length ?? 0;
    if (count === 0) throw new TransportError(`Kafka topic ${topic} has no partitions`, { retriable: true });
    return count;
  } catch (error) {
    throw toTransportError(error, `preparing Kafka topic ${topic}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
