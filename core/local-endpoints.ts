// The local stand-ins' addresses: default ports, and the client endpoints derived from them. The one file
// to change for a different default port or registry path; every CLI default and stand-in reads it.

/** Every stand-in binds the loopback interface only. */
export const LOOPBACK = '127.0.0.1';

/** Apicurio Registry's Confluent-compatible API root (also the path of the registry deployed on AWS). */
export const CCOMPAT_PATH = '/apis/ccompat/v7';

export interface ServicePorts {
  kinesis: number;
  kafka: number;
  kafkaController: number;
  registry: number;
  /** The Kafka stand-in's opt-in TLS listener (`--kafka-security tls` or `scram`). */
  kafkaTls?: number;
  /** The Kafka stand-in's opt-in SASL/SCRAM-over-TLS listener (`--kafka-security scram`). */
  kafkaScram?: number;
}

export const DEFAULT_PORTS: Readonly<ServicePorts> = {
  kinesis: 4567,
  kafka: 9092,
  kafkaController: 9093,
  registry: 8081,
};

/** The local dashboard's default port (`up` and `dashboard`). */
export const DEFAULT_DASHBOARD_PORT = 3000;

export function kinesisEndpoint(port: number): string {
  return `http://${LOOPBACK}:${port}`;
}

export function kafkaBrokers(port: number): string {
  return `${LOOPBACK}:${port}`;
}

export function registryUrl(port: number): string {
  return `http://${LOOPBACK}:${port}${CCOMPAT_PATH}`;
}

export const DEFAULT_KINESIS_ENDPOINT = kinesisEndpoint(DEFAULT_PORTS.kinesis);
export const DEFAULT_KAFKA_BROKERS = kafkaBrokers(DEFAULT_PORTS.kafka);
export const DEFAULT_REGISTRY_URL = registryUrl(DEFAULT_PORTS.registry);
