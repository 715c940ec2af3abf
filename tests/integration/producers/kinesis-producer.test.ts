// `streamsoft produce --transport kinesis` against kinesalite and the registry, read back with GetRecords.
import { readKinesisStream } from './read-back';
import { producerScenarios } from './scenarios';

jest.setTimeout(240_000);

producerScenarios({
  kind: 'kinesis',
  args: (endpoints, name) => [
    ...['--transport', 'kinesis', '--kinesis-endpoint', endpoints.kinesis!],
    ...['--stream', name, '--shards', '4'],
  ],
  readBack: (endpoints, name) => readKinesisStream(endpoints.kinesis!, name),
  outageMessage:
    /streamsoft: \d+ of \d+ records were not confirmed by Kinesis stream outage .*after 4 attempts/,
});
