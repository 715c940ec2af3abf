// `--expected-rate <trades/s>`: the stack sized by the capacity model (infra/capacity-model.ts, the figures of
// infra/CAPACITY.md) instead of by hand. It sets the Glue worker counts, the refine mode, the MSK brokers and
// the topic's default partition count; a setting the user chose explicitly always wins. A rate this stack's
// design cannot carry is refused with one line naming what breaks (CAPACITY.md "What breaks first").
import { ConfigError } from '../core/errors';
import {
  ASSUMPTIONS,
  QUOTAS,
  committedMeasurements,
  model,
  roundUpTo,
  type Measurements,
} from './capacity-model';
import type { InfraConfig } from './config';

/** vCPUs per Glue worker type (https://docs.aws.amazon.com/glue/latest/dg/worker-types.html). */
export const GLUE_WORKER_VCPUS: Readonly<Record<string, number>> = {
  'G.025X': 2,
  'G.1X': 4,
  'G.2X': 8,
  'G.4X': 16,
};

/** The settings `--expected-rate` derives. */
export type SizedKey =
  'streamingWorkerType' | 'streamingWorkers' | 'batchWorkers' | 'refineMode' | 'mskBrokers' | 'mskPartitions';

/** The most workers a job of this stack may have (infra/config.ts). */
const MAX_WORKERS = 100;

/**
 * The sized settings for `rate` trades/s. `config` supplies the choices the sizing depends on (transport,
 * AZ count, worker types: an explicit type is kept and the worker count follows its vCPUs).
 */
export function sizingFor(
  rate: number,
  config: InfraConfig,
  transports: { kinesis: boolean; msk: boolean },
  chosen: ReadonlySet<string>,
  measurements: Measurements = committedMeasurements(),
): Pick<InfraConfig, SizedKey> {
  const sizing = model(rate, measurements);
  const refuse = (what: string): never => {
    throw new ConfigError(`--expected-rate ${rate}: ${what} (see infra/CAPACITY.md "What breaks first")`);
  };
  if (transports.kinesis) {
    const perShard = QUOTAS.kinesisShardRecordsIn.value * ASSUMPTIONS.utilisation;
    if (sizing.hotSymbol.recordsPerSecond > perShard) {
      refuse(
        `${sizing.hotSymbol.symbol} alone would send ${Math.round(sizing.hotSymbol.recordsPerSecond)} records/s to one ` +
          `Kinesis shard (${QUOTAS.kinesisShardRecordsIn.value}/s limit, sized at ${perShard}) while the partition key is the symbol; use --transport msk`,
      );
    }
    if (!sizing.kinesis.onDemandOk) refuse('over the Kinesis on-demand write ceiling');
  }
  // A chosen worker type is kept; otherwise G.1X, the type the model's figures are in.
  const streamingWorkerType = chosen.has('streamingWorkerType') ? config.streamingWorkerType : 'G.1X';
  const streamingVcpus = GLUE_WORKER_VCPUS[streamingWorkerType]!;
  // executors for the work, plus the driver's worker
  const streamingWorkers = Math.max(2, Math.ceil(sizing.bronze.cores / streamingVcpus) + 1);
  const refineMode = chosen.has('refineMode')
    ? config.refineMode
    : sizing.silverGold.mode === 'continuous'
      ? 'continuous'
      : 'batch';
  // continuous refine runs on the streaming worker type; scheduled runs on the batch type
  const refineVcpus =
    GLUE_WORKER_VCPUS[refineMode === 'continuous' ? streamingWorkerType : config.batchWorkerType]!;
  const batchWorkers = Math.max(2, Math.ceil(sizing.silverGold.cores / refineVcpus) + 1);
  // a count the user chose is theirs to judge
  if (!chosen.has('streamingWorkers') && streamingWorkers > MAX_WORKERS) {
    refuse(
      `bronze needs ${streamingWorkers} ${streamingWorkerType} workers, over the ${MAX_WORKERS} a job may have`,
    );
  }
  if (!chosen.has('batchWorkers') && batchWorkers > MAX_WORKERS) {
    refuse(`silver and gold need ${batchWorkers} workers, over the ${MAX_WORKERS} a job may have`);
  }
  // MSK places brokers evenly across the client subnets, one per AZ here
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-msk-cluster-brokernodegroupinfo.html).
  const mskBrokers = roundUpTo(sizing.msk.brokers, config.azCount);
  if (transports.msk && mskBrokers > QUOTAS.mskBrokersPerClusterKraft.value) {
    refuse(
      `MSK needs ${mskBrokers} brokers, over the ${QUOTAS.mskBrokersPerClusterKraft.value} of one cluster`,
    );
  }
  return {
    streamingWorkerType,
    streamingWorkers,
    batchWorkers,
    refineMode,
    mskBrokers,
    // an even share per broker of the cluster actually deployed
    mskPartitions: roundUpTo(sizing.msk.partitions, mskBrokers),
  };
}

/** `config` with `--expected-rate` applied to every sized setting the user did not choose. */
export function applyExpectedRate(
  config: InfraConfig,
  chosen: ReadonlySet<string>,
  transports: { kinesis: boolean; msk: boolean },
): InfraConfig {
  if (config.expectedRate === undefined) return config;
  const sized = sizingFor(config.expectedRate, config, transports, chosen);
  const kept = Object.fromEntries(Object.entries(sized).filter(([key]) => !chosen.has(key)));
  return { ...config, ...kept };
}
