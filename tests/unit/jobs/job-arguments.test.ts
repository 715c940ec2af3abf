// The jobs' arguments module: what the deployed definitions and every local run are built from.
// tests/jobs/test_glue_contract.py feeds the synthesized result to the jobs' own parsers; the e2e tests run
// the local command lines.
import {
  batchArguments,
  bronzeArguments,
  checkpointsOf,
  refineArguments,
  toArgv,
} from '../../../glue-streaming/job-arguments';

const s3 = { lakePath: 's3://lake-bucket/lake', checkpointsPath: 's3://lake-bucket/checkpoints/' };
const base = {
  locations: s3,
  region: 'eu-west-1',
  registryUrl: 'https://registry.internal/apis/ccompat/v7',
  triggerSeconds: 30,
  startingPosition: 'latest',
};

describe('bronze job arguments', () => {
  it('gives each source its own checkpoint, so adding a transport never replays the other', () => {
    const args = bronzeArguments({
      ...base,
      kinesis: { streamName: 'trades' },
      kafka: { topic: 'trades', brokers: 'b-1:9098', auth: 'iam', groupIdPrefix: 'streamsoft-bronze' },
    });
    expect(args).toMatchObject({
      '--source': 'kinesis,kafka',
      '--kinesis-checkpoint-path': 's3://lake-bucket/checkpoints/bronze-kinesis',
      '--kafka-checkpoint-path': 's3://lake-bucket/checkpoints/bronze-kafka',
      '--kafka-group-id-prefix': 'streamsoft-bronze',
      '--stream-name': 'trades',
    });
    expect(args).not.toHaveProperty('--checkpoint-path');
    expect(args).not.toHaveProperty('--kinesis-endpoint');
    expect(checkpointsOf(args, s3).sort()).toEqual(['bronze-kafka', 'bronze-kinesis']);
  });

  it('names only what is set: a Kinesis run has no Kafka flags and an emulator endpoint when given', () => {
    const args = bronzeArguments({
      ...base,
      kinesis: { streamName: 'trades', endpoint: 'http://localhost:4567' },
      availableNow: true,
      maxRecordsPerTrigger: 500,
    });
    expect(Object.keys(args).filter((flag) => flag.startsWith('--kafka'))).toEqual([]);
    expect(args).toMatchObject({
      '--kinesis-endpoint': 'http://localhost:4567',
      '--available-now': 'true',
      '--max-records-per-trigger': '500',
    });
  });

  it('always names the Kinesis reader, ours unless told otherwise, so no run depends on the job default', () => {
    expect(bronzeArguments({ ...base, kinesis: { streamName: 'trades' } })).toMatchObject({
      '--kinesis-reader': 'streamsoft',
    });
    const aws = bronzeArguments({ ...base, kinesis: { streamName: 'trades', reader: 'aws' } });
    expect(aws['--kinesis-reader']).toBe('aws');
    expect(aws).not.toHaveProperty('--kinesis-efo-consumer');
    const kafkaOnly = bronzeArguments({ ...base, kafka: { topic: 't', brokers: 'b:9092', auth: 'none' } });
    expect(Object.keys(kafkaOnly).filter((flag) => flag.startsWith('--kinesis'))).toEqual([]);
  });

  it('passes the enhanced fan-out consumer with the aws reader, and refuses it with ours', () => {
    const efo = bronzeArguments({
      ...base,
      kinesis: { streamName: 'trades', reader: 'aws', efoConsumer: 'streamsoft-dev-bronze' },
    });
    expect(efo).toMatchObject({
      '--kinesis-reader': 'aws',
      '--kinesis-efo-consumer': 'streamsoft-dev-bronze',
    });
    expect(() =>
      bronzeArguments({ ...base, kinesis: { streamName: 'trades', efoConsumer: 'streamsoft-dev-bronze' } }),
    ).toThrow('bronze job arguments: an enhanced fan-out consumer needs the aws Kinesis reader');
  });

  it('refuses a job with no source', () => {
    expect(() => bronzeArguments(base)).toThrow(/a Kinesis or a Kafka source is required/);
  });
});

describe('silver, gold and continuous refine', () => {
  it('share the checkpoints, so a deployment switches between batch and continuous without a replay', () => {
    const refine = refineArguments(s3, 5);
    expect(refine['--silver-checkpoint-path']).toBe(batchArguments('silver', s3)['--checkpoint-path']);
    expect(refine['--gold-checkpoint-path']).toBe(batchArguments('gold', s3)['--checkpoint-path']);
    expect(checkpointsOf(refine, s3).sort()).toEqual(['gold', 'silver']);
  });

  it('become a command line of flag-value pairs', () => {
    expect(
      toArgv(batchArguments('gold', { lakePath: '/d/lake', checkpointsPath: '/d/checkpoints' })),
    ).toEqual(['--lake-path', '/d/lake', '--checkpoint-path', '/d/checkpoints/gold']);
  });
});
