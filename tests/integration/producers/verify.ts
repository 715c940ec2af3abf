// Compares what a stream holds with the producer's record file: acked records present and intact, decoded
// independently, injected faults accounted for, per-symbol order kept.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Trade } from '../../../schemas/trade';
import type { RecordLine } from '../../../producers/record-file';
import type { StreamRecord } from './read-back';

export interface Verification {
  /** Acked records not found in the stream at their acked coordinates. */
  missing: RecordLine[];
  /** Stream records no acked record accounts for. */
  extra: StreamRecord[];
  /** Acked records whose decoded content differs from what was sent. */
  mismatched: string[];
  /** Symbols whose first-seen trades are out of emission order. */
  outOfOrder: string[];
  decoded: number;
  undecodable: number;
  duplicates: number;
}

export async function verifyStream(
  stream: StreamRecord[],
  lines: RecordLine[],
  decode: (bytes: Buffer) => Promise<Trade>,
): Promise<Verification> {
  const at = (partition: string, position: string): string => `${partition}/${position}`;
  const byCoordinates = new Map(stream.map((record) => [at(record.partition, record.position), record]));
  const acked = new Map(lines.map((line) => [at(line.partition, line.position), line]));
  const result: Verification = {
    missing: [],
    extra: [],
    mismatched: [],
    outOfOrder: [],
    decoded: 0,
    undecodable: 0,
    duplicates: 0,
  };

  for (const line of lines) {
    const record = byCoordinates.get(at(line.partition, line.position));
    if (record === undefined) {
      result.missing.push(line);
      continue;
    }
    if (record.key !== line.key) result.mismatched.push(`${line.seq}: key ${record.key} != ${line.key}`);
    let trade: Trade | undefined;
    try {
      trade = await decode(record.value);
    } catch {
      trade = undefined;
    }
    if (line.kind === 'bad') {
      if (trade === undefined) result.undecodable++;
      else result.mismatched.push(`${line.seq}: a corrupted record (${line.corruption}) decoded`);
      continue;
    }
    if (trade === undefined) {
      result.mismatched.push(`${line.seq}: does not decode`);
      continue;
    }
    result.decoded++;
    if (line.kind === 'duplicate') result.duplicates++;
    if (JSON.stringify(trade) !== JSON.stringify(line.trade)) {
      result.mismatched.push(`${line.seq}: ${JSON.stringify(trade)} != ${JSON.stringify(line.trade)}`);
    }
  }
  for (const record of stream) {
    if (!acked.has(at(record.partition, record.position))) result.extra.push(record);
  }

  // Per symbol, new trades must appear in the stream in the order they were generated.
  const seqOf = new Map(
    lines.filter((l) => l.kind === 'trade').map((l) => [at(l.partition, l.position), l.seq]),
  );
  const ordered = [...stream].sort((a, b) =>
    a.partition === b.partition ? compareNumeric(a.position, b.position) : a.partition < b.partition ? -1 : 1,
  );
  const lastSeq = new Map<string, number>();
  for (const record of ordered) {
    const seq = seqOf.get(at(record.partition, record.position));
    if (seq === undefined) continue;
    if (seq < (lastSeq.get(record.key) ?? -1) && !result.outOfOrder.includes(record.key)) {
      result.outOfOrder.push(record.key);
    }
    lastSeq.set(record.key, Math.max(seq, lastSeq.get(record.key) ?? -1));
  }
  return result;
}

function compareNumeric(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const BIN = path.resolve(__dirname, '../../../bin/streamsoft.js');
const CLI_TIMEOUT_MS = 150_000;

/**
 * Runs `streamsoft produce` as a child process; `whileRunning` may signal it or restart services; `env`
 * adds STREAMSOFT_* variables.
 */
export function runProduceCli(
  args: string[],
  whileRunning?: (child: ReturnType<typeof spawn>) => Promise<void> | void,
  env: Record<string, string> = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'produce', ...args], {
      env: { ...process.env, STREAMSOFT_LOG_LEVEL: 'warn', STREAMSOFT_LOG_FORMAT: 'json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A hung producer fails the test with what it printed instead of running into jest's timeout.
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') reject(new Error(`streamsoft produce hung; stderr:\n${stderr.slice(-4000)}`));
      else resolve({ code, signal, stdout, stderr });
    });
    if (whileRunning !== undefined) Promise.resolve(whileRunning(child)).catch(reject);
  });
}
