// `streamsoft produce --transport msk` against the local KRaft broker and the registry, read back with a
// kafkajs consumer.
import { readKafkaTopic } from './read-back';
import { producerScenarios } from './scenarios';

jest.setTimeout(240_000);

producerScenarios({
  kind: 'kafka',
  args: (endpoints, name) => [
    ...['--transport', 'msk', '--kafka-brokers', endpoints.kafka!],
    ...['--topic', name, '--partitions', '4'],
  ],
  readBack: (endpoints, name) => readKafkaTopic(endpoints.kafka!, name),
  outageMessage: /streamsoft: \d+ of \d+ records were not confirmed by Kafka topic outage/,
});
