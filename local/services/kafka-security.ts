// The Kafka stand-in's opt-in secure listeners, shaped like Amazon MSK's: TLS on one port, SASL/SCRAM over
// TLS on another. The CA and the broker certificate are made with the JDK's keytool under the data dir,
// once, and reused by later starts; SCRAM users are written into the storage when it is formatted.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../../core/errors';
import { LOOPBACK } from './processes';
import type { ServiceListener, ServicePorts } from './service';

export type KafkaSecurity = 'none' | 'tls' | 'scram';
export const KAFKA_SECURITY_MODES: readonly KafkaSecurity[] = ['none', 'tls', 'scram'];

/** MSK's port for each listener (https://docs.aws.amazon.com/msk/latest/developerguide/port-info.html). */
export const DEFAULT_KAFKA_TLS_PORT = 9094;
export const DEFAULT_KAFKA_SCRAM_PORT = 9096;

export const SCRAM_MECHANISM = 'SCRAM-SHA-512';
export const SCRAM_USER = 'streamsoft';

/** Where a data dir keeps its certificate material and credentials (`<data-dir>/services/kafka/security`). */
export function securityFiles(servicesDir: string) {
  const dir = path.join(servicesDir, 'kafka', 'security');
  return {
    dir,
    caKeystore: path.join(dir, 'ca.p12'),
    caCert: path.join(dir, 'ca.pem'),
    brokerKeystore: path.join(dir, 'broker.p12'),
    storePassword: path.join(dir, 'store-password'),
    scramPassword: path.join(dir, 'scram-password'),
  };
}
type SecurityFiles = ReturnType<typeof securityFiles>;

/** The listeners a broker with these ports binds, all on the loopback address. */
export function kafkaListeners(ports: ServicePorts, files: SecurityFiles): ServiceListener[] {
  const at = (port: number): string => `${LOOPBACK}:${port}`;
  const listeners: ServiceListener[] = [{ name: 'PLAINTEXT', port: ports.kafka, endpoint: at(ports.kafka) }];
  if (ports.kafkaTls !== undefined) {
    listeners.push({ name: 'SSL', port: ports.kafkaTls, endpoint: at(ports.kafkaTls), caFile: files.caCert });
  }
  if (ports.kafkaScram !== undefined) {
    listeners.push({
      name: 'SASL_SSL',
      port: ports.kafkaScram,
      endpoint: at(ports.kafkaScram),
      caFile: files.caCert,
      saslMechanism: SCRAM_MECHANISM,
      username: SCRAM_USER,
      passwordFile: files.scramPassword,
    });
  }
  return listeners;
}

/** The security mode a set of ports asks for. */
export function securityOf(ports: ServicePorts): KafkaSecurity {
  if (ports.kafkaScram !== undefined) return 'scram';
  return ports.kafkaTls !== undefined ? 'tls' : 'none';
}

/** A secret kept in a file readable by its owner only; made once, then read back. */
function secretFile(file: string): string {
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, randomBytes(18).toString('base64url'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

function keytoolOf(java: string): string {
  return path.isAbsolute(java) ? path.join(path.dirname(java), 'keytool') : 'keytool';
}

/**
 * Makes the CA (ca.p12, its certificate in ca.pem) and the broker keystore (broker.p12: a key and a
 * certificate for 127.0.0.1 and localhost, signed by the CA) unless a previous start made them.
 */
export function ensureCertificates(java: string, files: SecurityFiles, log: string): void {
  fs.mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  const password = secretFile(files.storePassword);
  if (fs.existsSync(files.brokerKeystore) && fs.existsSync(files.caCert)) return;
  for (const file of [files.caKeystore, files.caCert, files.brokerKeystore]) fs.rmSync(file, { force: true });
  const csr = path.join(files.dir, 'broker.csr');
  const brokerCert = path.join(files.dir, 'broker.pem');
  const store = (keystore: string) => ['-keystore', keystore, '-storetype', 'PKCS12', '-storepass', password];
  const keytool = (...args: string[]): void => {
    const fd = fs.openSync(log, 'a');
    try {
      const result = spawnSync(keytoolOf(java), args, { stdio: ['ignore', fd, fd], timeout: 60_000 });
      if (result.status !== 0) {
        throw new ServiceError(`keytool ${args[0]} failed making the Kafka certificates; see ${log}`);
      }
    } finally {
      fs.closeSync(fd);
    }
  };
  const key = ['-keyalg', 'EC', '-groupname', 'secp256r1'];
  keytool(
    '-genkeypair',
    '-alias',
    'ca',
    '-dname',
    'CN=StreamSoft local Kafka CA',
    ...key,
    ...store(files.caKeystore),
    '-validity',
    '3650',
    '-ext',
    'bc:c',
  );
  keytool('-exportcert', '-rfc', '-alias', 'ca', ...store(files.caKeystore), '-file', files.caCert);
  keytool(
    '-genkeypair',
    '-alias',
    'broker',
    '-dname',
    'CN=localhost',
    ...key,
    ...store(files.brokerKeystore),
    '-validity',
    '825',
  );
  keytool('-certreq', '-alias', 'broker', ...store(files.brokerKeystore), '-file', csr);
  keytool(
    '-gencert',
    '-rfc',
    '-alias',
    'ca',
    ...store(files.caKeystore),
    '-infile',
    csr,
    '-outfile',
    brokerCert,
    '-validity',
    '825',
    '-ext',
    `san=ip:${LOOPBACK},dns:localhost`,
    '-ext',
    'eku=serverAuth',
  );
  keytool('-importcert', '-noprompt', '-alias', 'ca', ...store(files.brokerKeystore), '-file', files.caCert);
  keytool('-importcert', '-alias', 'broker', ...store(files.brokerKeystore), '-file', brokerCert);
  fs.rmSync(csr, { force: true });
}

/** server.properties entries for the secure listeners (none when the broker is plaintext only). */
export function securitySettings(ports: ServicePorts, files: SecurityFiles): Record<string, string> {
  if (securityOf(ports) === 'none') return {};
  const password = secretFile(files.storePassword);
  const settings: Record<string, string> = {
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': files.brokerKeystore,
    'ssl.keystore.password': password,
    'ssl.key.password': password,
    'ssl.client.auth': 'none',
  };
  if (ports.kafkaScram !== undefined) {
    settings['sasl.enabled.mechanisms'] = SCRAM_MECHANISM;
    // https://kafka.apache.org/documentation/#security_sasl_scram_brokerconfig
    settings[`listener.name.sasl_ssl.${SCRAM_MECHANISM.toLowerCase()}.sasl.jaas.config`] =
      'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  }
  return settings;
}

/**
 * `kafka-storage format` arguments that create the SCRAM user (KRaft keeps SCRAM credentials in its
 * metadata log, so they are written at format time: https://kafka.apache.org/documentation/#security_sasl_scram_credentials).
 */
export function scramFormatArgs(ports: ServicePorts, files: SecurityFiles): string[] {
  if (ports.kafkaScram === undefined) return [];
  fs.mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  const password = secretFile(files.scramPassword);
  return ['--add-scram', `${SCRAM_MECHANISM}=[name=${SCRAM_USER},password=${password}]`];
}
