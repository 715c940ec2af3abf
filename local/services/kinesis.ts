// The Kinesis stand-in: kinesalite on 127.0.0.1, persisted in LevelDB under <data-dir>/kinesis.
import http from 'node:http';
import path from 'node:path';
import { kinesisEndpoint } from '../../core/local-endpoints';
import { LOOPBACK } from './processes';
import type { ServiceDefinition } from './service';

const SERVER_SCRIPT = path.join(__dirname, 'kinesalite-server.cjs');

/** A ListStreams call: kinesalite checks that a SigV4-shaped Authorization header exists, not its signature. */
export function listStreamsProbe(endpoint: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.request(
      `${endpoint}/`,
      {
        method: 'POST',
        timeout: timeoutMs,
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': 'Kinesis_20131202.ListStreams',
          'X-Amz-Date': '20260101T000000Z',
          Authorization:
            'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/kinesis/aws4_request, ' +
            'SignedHeaders=host;x-amz-date, Signature=0',
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode === 200));
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
    request.end('{}');
  });
}

export const kinesisService: ServiceDefinition = {
  name: 'kinesis',
  endpoint: (ports) => kinesisEndpoint(ports.kinesis),
  ports: (ports) => [ports.kinesis],
  stopGraceMs: 5000,
  preflight: () => undefined,
  async prepare({ layout, ports }) {
    const dataPath = path.join(layout.root, 'kinesis');
    return {
      command: process.execPath,
      args: [SERVER_SCRIPT, '--host', LOOPBACK, '--port', String(ports.kinesis), '--path', dataPath],
      markers: [SERVER_SCRIPT, dataPath],
    };
  },
  probe: (endpoint) => listStreamsProbe(endpoint),
};
