// Process bookkeeping without the real services: stop signals only processes whose pid file we wrote and
// whose command line is still ours, escalates to SIGKILL, and a taken port is refused before launching.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EnvironmentError } from '../../../core/errors';
import { dataDirLayout } from '../../../core/paths';
import { newClusterId, serverProperties } from '../../../local/services/kafka';
import { kafkaListeners, securityFiles } from '../../../local/services/kafka-security';
import { freePort, isRunning, launchDetached, terminate } from '../../../local/services/processes';
import { type RunRecord, startService, stopService } from '../../../local/services/supervisor';

let dataDir: string;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-supervisor-'));
});

afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function writeRecord(record: Omit<RunRecord, 'endpoint' | 'ports' | 'log' | 'startedAt'>): void {
  const layout = dataDirLayout(dataDir);
  fs.mkdirSync(layout.run, { recursive: true });
  const full: RunRecord = { ...record, endpoint: 'http://127.0.0.1:1', ports: [1], log: 'x', startedAt: '' };
  fs.writeFileSync(path.join(layout.run, `${record.name}.pid`), `${record.pid}\n`);
  fs.writeFileSync(path.join(layout.run, `${record.name}.json`), JSON.stringify(full));
}

/** A long-running node process carrying `marker` as an argument, in its own process group. */
function launchMarked(marker: string, ignoreSigterm = false): number {
  const script = `${ignoreSigterm ? "process.on('SIGTERM', () => {});" : ''} setInterval(() => {}, 1000);`;
  return launchDetached(
    { command: process.execPath, args: ['-e', script, '--', marker], markers: [marker] },
    path.join(dataDir, 'test.log'),
  );
}

async function waitRunning(pid: number): Promise<void> {
  for (let i = 0; i < 50 && !isRunning(pid); i += 1) await sleep(50);
}

describe('stopService', () => {
  it('stops a process whose pid file we wrote and whose command line carries our marker', async () => {
    const marker = `--streamsoft-test=${dataDir}`;
    const pid = launchMarked(marker);
    await waitRunning(pid);
    expect(isRunning(pid)).toBe(true);
    writeRecord({ name: 'kinesis', pid, markers: [marker] });

    expect(await stopService('kinesis', dataDir)).toBe(pid);
    expect(isRunning(pid)).toBe(false);
    expect(fs.readdirSync(path.join(dataDir, 'run'))).toEqual([]);
  });

  it('never signals a process whose command line is not ours (a reused pid), and forgets the record', async () => {
    const stranger = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await waitRunning(stranger.pid!);
      writeRecord({ name: 'kafka', pid: stranger.pid!, markers: [`-Dstreamsoft.dataDir=${dataDir}`] });

      expect(await stopService('kafka', dataDir)).toBeUndefined();
      expect(isRunning(stranger.pid!)).toBe(true);
      expect(fs.existsSync(path.join(dataDir, 'run', 'kafka.pid'))).toBe(false);
    } finally {
      stranger.kill('SIGKILL');
    }
  });

  it('reports a stand-in without a pid file as not running', async () => {
    expect(await stopService('registry', dataDir)).toBeUndefined();
  });
});

describe('terminate', () => {
  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const marker = `--streamsoft-stubborn=${dataDir}`;
    const pid = launchMarked(marker, true);
    await waitRunning(pid);
    await sleep(300); // let it install its SIGTERM handler
    expect(isRunning(pid)).toBe(true);
    await terminate(pid, [marker], 300);
    expect(isRunning(pid)).toBe(false);
  });
});

describe('startService', () => {
  it('refuses a port held by another process before launching anything', async () => {
    const port = await freePort();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const ports = { kinesis: port, kafka: port + 1, kafkaController: port + 2, registry: port + 3 };
      const start = startService('kinesis', { dataDir, ports });
      await expect(start).rejects.toThrow(EnvironmentError);
      await expect(start).rejects.toThrow(`port ${port} for kinesis is already in use by another process`);
      expect(fs.existsSync(path.join(dataDir, 'run', 'kinesis.pid'))).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('kafka configuration', () => {
  it('listens on loopback only, with a static single-voter quorum on the controller port', () => {
    const text = serverProperties(
      { kinesis: 1, kafka: 19092, kafkaController: 19093, registry: 2 },
      '/data/kafka',
    );
    const settings = Object.fromEntries(
      text
        .trim()
        .split('\n')
        .map((line) => line.split(/=(.*)/s).slice(0, 2)),
    );
    expect(settings).toMatchObject({
      'process.roles': 'broker,controller',
      listeners: 'PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093',
      'advertised.listeners': 'PLAINTEXT://127.0.0.1:19092',
      'controller.quorum.voters': '1@127.0.0.1:19093',
      'log.dirs': '/data/kafka',
      'offsets.topic.replication.factor': '1',
    });
  });

  it('adds TLS and SASL_SSL listeners on loopback for their ports, with the keystore and the SCRAM JAAS entry', () => {
    const files = securityFiles('/data/services');
    const ports = {
      kinesis: 1,
      kafka: 19092,
      kafkaController: 19093,
      registry: 2,
      kafkaTls: 19094,
      kafkaScram: 19096,
    };
    const text = serverProperties(ports, '/data/kafka', { 'ssl.keystore.location': files.brokerKeystore });
    const settings = Object.fromEntries(
      text
        .trim()
        .split('\n')
        .map((line) => line.split(/=(.*)/s).slice(0, 2)),
    );
    expect(settings).toMatchObject({
      listeners:
        'PLAINTEXT://127.0.0.1:19092,SSL://127.0.0.1:19094,SASL_SSL://127.0.0.1:19096,CONTROLLER://127.0.0.1:19093',
      'advertised.listeners': 'PLAINTEXT://127.0.0.1:19092,SSL://127.0.0.1:19094,SASL_SSL://127.0.0.1:19096',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name': 'PLAINTEXT',
      'ssl.keystore.location': '/data/services/kafka/security/broker.p12',
    });
    expect(kafkaListeners(ports, files).map((l) => [l.name, l.endpoint, l.caFile ?? null])).toEqual([
      ['PLAINTEXT', '127.0.0.1:19092', null],
      ['SSL', '127.0.0.1:19094', '/data/services/kafka/security/ca.pem'],
      ['SASL_SSL', '127.0.0.1:19096', '/data/services/kafka/security/ca.pem'],
    ]);
    const tlsOnly = { ...ports, kafkaScram: undefined };
    expect(kafkaListeners(tlsOnly, files).map((l) => l.name)).toEqual(['PLAINTEXT', 'SSL']);
    expect(serverProperties(tlsOnly, '/data/kafka')).not.toMatch(/SASL_SSL/);
  });

  it('makes cluster ids the way kafka-storage random-uuid does: 22 URL-safe base64 characters', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newClusterId()));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // never a leading '-', which the storage tool reads as an option (1 random id in 64 would have one)
    expect([...ids].filter((id) => id.startsWith('-'))).toEqual([]);
  });
});
