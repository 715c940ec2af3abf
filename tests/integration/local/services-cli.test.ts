// `streamsoft services start|status|stop` as a user runs it: background stand-ins that answer, a harmless
// second start, a stop that leaves none of our processes, and one-line errors for a taken port or no Java.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, isRunning } from '../../../local/services/processes';
import { runCli } from './cli';

jest.setTimeout(600_000);

let dataDir: string;
let portArgs: string[];
let ports: { kinesis: number; kafka: number; registry: number };

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-services-cli-'));
  const taken = new Set<number>();
  while (taken.size < 4) taken.add(await freePort());
  const [kinesis, kafka, controller, registry] = [...taken] as [number, number, number, number];
  ports = { kinesis, kafka, registry };
  portArgs = [
    '--data-dir',
    dataDir,
    '--kinesis-port',
    String(kinesis),
    '--kafka-port',
    String(kafka),
    '--kafka-controller-port',
    String(controller),
    '--registry-port',
    String(registry),
    // Other test runs may share the two cores; a slow JVM start is not what these tests are about.
    '--start-timeout',
    '240',
  ];
});

afterAll(async () => {
  await runCli(['services', 'stop', ...portArgs]);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface StatusRow {
  name: string;
  endpoint: string;
  pid: number | null;
  healthy: boolean;
}

async function status(): Promise<StatusRow[]> {
  const result = await runCli(['services', 'status', '--json', ...portArgs]);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as StatusRow[];
}

describe('streamsoft services', () => {
  let pids: number[] = [];

  it('start brings up kinesis, kafka and registry; status --json reports them healthy', async () => {
    const start = await runCli(['services', 'start', ...portArgs]);
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(/^kinesis started at http:\/\/127\.0\.0\.1:\d+ \(pid \d+/m);

    const rows = await status();
    expect(rows.map(({ name, endpoint, healthy }) => ({ name, endpoint, healthy }))).toEqual([
      { name: 'kinesis', endpoint: `http://127.0.0.1:${ports.kinesis}`, healthy: true },
      { name: 'kafka', endpoint: `127.0.0.1:${ports.kafka}`, healthy: true },
      { name: 'registry', endpoint: `http://127.0.0.1:${ports.registry}/apis/ccompat/v7`, healthy: true },
    ]);
    pids = rows.map((row) => row.pid!);
    expect(pids.every((pid) => Number.isInteger(pid) && isRunning(pid))).toBe(true);
    for (const name of ['kinesis', 'kafka', 'registry']) {
      expect(fs.existsSync(path.join(dataDir, 'run', `${name}.pid`))).toBe(true);
      expect(fs.existsSync(path.join(dataDir, 'logs', `${name}.log`))).toBe(true);
    }
  });

  it('a second start is harmless: one line per service, same processes, exit 0', async () => {
    const again = await runCli(['services', 'start', ...portArgs]);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
    expect(again.stdout.trim().split('\n').sort()).toEqual([
      `kafka already running at 127.0.0.1:${ports.kafka}`,
      `kinesis already running at http://127.0.0.1:${ports.kinesis}`,
      `registry already running at http://127.0.0.1:${ports.registry}/apis/ccompat/v7`,
    ]);
    expect((await status()).map((row) => row.pid)).toEqual(pids);
  });

  it('stop ends every process it started and clears the pid files', async () => {
    const stop = await runCli(['services', 'stop', ...portArgs]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain(`kafka stopped (pid ${pids[1]})`);
    expect(pids.filter((pid) => isRunning(pid))).toEqual([]);
    expect(fs.readdirSync(path.join(dataDir, 'run'))).toEqual([]);
    const rows = await status();
    expect(rows.every((row) => row.pid === null && !row.healthy)).toBe(true);

    const stopAgain = await runCli(['services', 'stop', ...portArgs]);
    expect(stopAgain.code).toBe(0);
    expect(stopAgain.stdout).toContain('kafka not running');
  });

  it('SCRAM asked of a Kafka store formatted without SCRAM users: one line saying what to do, nothing started', async () => {
    // The first start formatted the broker's storage plaintext-only; SCRAM users exist only from a format.
    const [tls, scram] = [await freePort(), await freePort()];
    const result = await runCli([
      ...['services', 'start', '--only', 'kafka', '--kafka-security', 'scram'],
      ...['--kafka-tls-port', String(tls), '--kafka-scram-port', String(scram), ...portArgs],
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /^streamsoft: the Kafka storage in \S+ was formatted without SCRAM users; start with --kafka-security scram on a fresh --data-dir\n$/,
    );
    expect((await status()).every((row) => row.pid === null)).toBe(true);
  });

  it('a port taken by another process is one line and exit 2, and nothing is started', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(ports.kafka, '127.0.0.1', resolve));
    try {
      const result = await runCli(['services', 'start', ...portArgs]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `streamsoft: port ${ports.kafka} for kafka is already in use by another process\n`,
      );
      expect((await status()).every((row) => row.pid === null)).toBe(true);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('a missing Java is one line and exit 2', async () => {
    const emptyPath = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-no-java-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, PATH: emptyPath, STREAMSOFT_JVM_DIRS: emptyPath };
      delete env.JAVA_HOME;
      const result = await runCli(['services', 'start', '--only', 'kafka', ...portArgs], env);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^streamsoft: Java not found \(need >= 17 for the Kafka broker; [^\n]*\)\n$/,
      );
    } finally {
      fs.rmSync(emptyPath, { recursive: true, force: true });
    }
  });

  it('bad flags are one line naming the flag, exit 2', async () => {
    const clash = await runCli([
      'services',
      'status',
      '--data-dir',
      dataDir,
      '--kafka-port',
      '4567',
      '--kinesis-port',
      '4567',
    ]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toBe('streamsoft: --kafka-port: must differ from --kinesis-port (got "4567")\n');
    const notAPort = await runCli(['services', 'status', '--data-dir', dataDir, '--kafka-port', 'abc']);
    expect(notAPort.code).toBe(2);
    expect(notAPort.stderr).toBe('streamsoft: --kafka-port: must be a port number 1-65535 (got "abc")\n');
    const unknown = await runCli(['services', 'start', '--only', 'kinesis,zookeeper', ...portArgs]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'streamsoft: --only: must be one or more of kinesis, kafka, registry (got "kinesis,zookeeper")\n',
    );
  });
});
