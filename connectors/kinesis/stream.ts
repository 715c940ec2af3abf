// Makes sure the target Kinesis stream exists and is ACTIVE, creating it with N shards when asked to.
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { setTimeout as sleep } from 'node:timers/promises';
import { TransportError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { toTransportError } from './errors';

export interface EnsureStreamOptions {
  streamName: string;
  shards: number;
  create: boolean;
  logger: Logger;
  timeoutMs?: number;
}

async function streamStatus(
  client: Pick<KinesisClient, 'send'>,
  streamName: string,
): Promise<string | undefined> {
  try {
    const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    return out.StreamDescriptionSummary?.StreamStatus;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw toTransportError(error, `describing Kinesis stream ${streamName}`);
  }
}

export async function ensureStream(
  client: Pick<KinesisClient, 'send'>,
  options: EnsureStreamOptions,
): Promise<void> {
  const { streamName, shards, create, logger } = options;
  let status = await streamStatus(client, streamName);
  if (status === undefined) {
    if (!create) {
      throw new TransportError(`Kinesis stream ${streamName} does not exist (use --create-stream)`);
    }
    try {
      await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shards }));
      logger.info({ stream: streamName, shards }, 'created Kinesis stream');
    } catch (error) {
      // Another producer created it between our describe and create.
      if (!(error instanceof ResourceInUseException)) {
        throw toTransportError(error, `creating Kinesis stream ${streamName}`);
      }
    }
  }
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while ((status = await streamStatus(client, streamName)) !== 'ACTIVE') {
    if (Date.now() > deadline) {
      throw new TransportError(`Kinesis stream ${streamName} is not ACTIVE (status ${status ?? 'missing'})`);
    }
    await sleep(100);
  }
}
