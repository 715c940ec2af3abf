// `--expected-rate`: the synthesized stack is sized by the capacity model, explicit flags win, and a rate the
// design cannot carry is refused with one line. The rules checked are AWS's (cited), not the model's numbers.
import { committedMeasurements, model, QUOTAS } from '../../infra/capacity-model';
import { resolveInfraConfig } from '../../infra/config';
import { GLUE_WORKER_VCPUS } from '../../infra/sizing';
import { resourcesOf, synthTransport } from './synth-support';

type GlueJob = { name: string; worker_type: string; number_of_workers: number };

function jobs(
  overrides: Record<string, unknown>,
  transport: 'kinesis' | 'msk' | 'both' = 'kinesis',
): GlueJob[] {
  return Object.values(resourcesOf(synthTransport(transport, overrides).doc, 'aws_glue_job')) as GlueJob[];
}

const byName = (all: GlueJob[], suffix: string): GlueJob => all.find((job) => job.name.endsWith(suffix))!;

describe('--expected-rate', () => {
  it('gives bronze the cores the measured per-core rates need, besides the driver worker', () => {
    for (const rate of [1_000, 10_000]) {
      const bronze = byName(jobs({ expectedRate: rate }), '-bronze');
      const needed = model(rate, committedMeasurements()).bronze.cores;
      // Glue places the driver on one worker; the others run executors
      // (https://docs.aws.amazon.com/glue/latest/dg/worker-types.html).
      const executorVcpus = (bronze.number_of_workers - 1) * GLUE_WORKER_VCPUS[bronze.worker_type]!;
      expect(executorVcpus).toBeGreaterThanOrEqual(needed);
      expect(bronze.number_of_workers).toBeGreaterThanOrEqual(2);
    }
  });

  it('runs silver and gold continuously once their work outgrows a schedule, and keeps explicit choices', () => {
    const sized = jobs({ expectedRate: 10_000 });
    expect(sized.map((job) => job.name)).toContainEqual(expect.stringMatching(/-refine$/));
    const explicit = jobs({
      expectedRate: 10_000,
      refineMode: 'batch',
      streamingWorkers: 7,
      streamingWorkerType: 'G.2X',
    });
    expect(explicit.map((job) => job.name)).not.toContainEqual(expect.stringMatching(/-refine$/));
    expect(byName(explicit, '-bronze')).toMatchObject({ number_of_workers: 7, worker_type: 'G.2X' });
    // no rate: the defaults stand
    expect(byName(jobs({}), '-bronze')).toMatchObject({ number_of_workers: 2, worker_type: 'G.025X' });
  });

  it('spreads MSK brokers evenly over the AZs at every rate', () => {
    // "Amazon MSK distributes the broker nodes evenly across the subnets that you specify"
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-msk-cluster-brokernodegroupinfo.html
    for (const azCount of [2, 3]) {
      for (const rate of [1_000, 100_000, 1_000_000]) {
        const config = resolveInfraConfig({
          transport: 'msk',
          azCount,
          expectedRate: rate,
          refineMode: 'batch',
          batchWorkers: 2,
        });
        expect(config.mskBrokers! % azCount).toBe(0);
        expect(config.mskBrokers!).toBeLessThanOrEqual(QUOTAS.mskBrokersPerClusterKraft.value);
      }
    }
    const msk = synthTransport('msk', { expectedRate: 100_000, azCount: 3 }).doc;
    const [cluster] = Object.values(resourcesOf(msk, 'aws_msk_cluster')) as Array<{
      number_of_broker_nodes: number;
    }>;
    const [configuration] = Object.values(resourcesOf(msk, 'aws_msk_configuration')) as Array<{
      server_properties: string;
    }>;
    expect(cluster!.number_of_broker_nodes % 3).toBe(0);
    expect(configuration!.server_properties).toMatch(/^num\.partitions=\d+$/m);
    expect(() => resolveInfraConfig({ transport: 'msk', azCount: 2, mskBrokers: 3 })).toThrow(
      /^--msk-brokers: must be a multiple of --az-count 2 \(got 3\)$/,
    );
  });

  it('refuses, in one line, a Kinesis rate whose hottest symbol exceeds one shard', () => {
    // 1,000 records/s per shard: https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
    expect(() => resolveInfraConfig({ transport: 'kinesis', expectedRate: 100_000 })).toThrow(
      /^--expected-rate 100000: [A-Z]+ alone would send \d+ records\/s to one Kinesis shard .*use --transport msk/,
    );
    expect(() => resolveInfraConfig({ transport: 'kinesis', expectedRate: 100_000 })).not.toThrow(/\n/);
  });

  it('refuses a rate that needs more workers than a job may have', () => {
    expect(() => resolveInfraConfig({ transport: 'msk', expectedRate: 1_000_000 })).toThrow(
      /^--expected-rate 1000000: silver and gold need \d+ workers, over the 100 a job may have/,
    );
  });
});
