// The schema registry stand-in: Apicurio Registry 3 (Quarkus fast-jar from its `all` tarball), serving the
// Confluent-compatible API at /apis/ccompat/v7, stored in an H2 file database under <data-dir>/registry.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ServiceError } from '../../core/errors';
import { findJava, MIN_JAVA_REGISTRY } from '../setup/prerequisites';
import { toolLocations } from '../setup/tools';
import { registryUrl } from '../../core/local-endpoints';
import { freePort, LOOPBACK } from './processes';
import type { ServiceDefinition } from './service';

export function httpGetOk(url: string, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: timeoutMs }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode === 200));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

export const registryService: ServiceDefinition = {
  name: 'registry',
  endpoint: (ports) => registryUrl(ports.registry),
  ports: (ports) => [ports.registry],
  stopGraceMs: 15_000,
  preflight: () => void findJava(MIN_JAVA_REGISTRY, 'Apicurio Registry'),
  async prepare({ layout, ports }) {
    const jar = path.join(toolLocations.apicurio, 'quarkus-run.jar');
    if (!fs.existsSync(jar)) {
      throw new ServiceError(`Apicurio Registry is missing (${jar}); run: streamsoft setup --only apicurio`);
    }
    const java = findJava(MIN_JAVA_REGISTRY, 'Apicurio Registry');
    const storage = path.join(layout.root, 'registry');
    fs.mkdirSync(storage, { recursive: true });
    // The management interface (health, metrics) is built in and defaults to *:9000; keep it on loopback
    // on a port of its own so two registries never clash.
    const managementPort = await freePort();
    return {
      command: java.command,
      args: [
        '-Xms64m',
        '-Xmx512m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-Djava.awt.headless=true',
        '-Dstreamsoft.service=registry',
        `-Dstreamsoft.dataDir=${layout.root}`,
        '-jar',
        jar,
      ],
      cwd: storage,
      env: {
        ...process.env,
        APICURIO_DATASOURCE_URL: `jdbc:h2:file:${path.join(storage, 'registry')}`,
        QUARKUS_HTTP_HOST: LOOPBACK,
        QUARKUS_HTTP_PORT: String(ports.registry),
        QUARKUS_MANAGEMENT_HOST: LOOPBACK,
        QUARKUS_MANAGEMENT_PORT: String(managementPort),
      },
      markers: ['-Dstreamsoft.service=registry', `-Dstreamsoft.dataDir=${layout.root}`],
    };
  },
  probe: (endpoint) => httpGetOk(`${endpoint}/subjects`),
};
