// The produce loop, reusable in-process (`streamsoft produce`, `streamsoft up`, the benchmark): paces the
// simulator at the requested rate, encodes, hands batches to a transport with bounded backlog, and
// accounts for every record until it is acknowledged or has failed.
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToIo, setTimeout as sleep } from 'node:timers/promises';
import type { TransportError } from '../core/errors';
import { silentLogger, type Logger } from '../core/logger';
import type { Trade } from '../schemas/trade';
import type { OutgoingRecord, RecordAck, RecordResult, Transport } from '../connectors/transport';
import { corruptFrame } from './faults';
import { LatencyRecorder } from './latency';
import type { Emission, TradeSimulator } from './trade-simulator';

export interface ProducerConfig {
  /** Trades per second; 0 means as fast as the transport acknowledges. */
  rate: number;
  /** Stop after this many emissions. */
  count?: number;
  /** Stop after this long. */
  durationMs?: number;
  /** Records handed to the transport but not yet settled, at most. */
  maxPending?: number;
  /** Records per transport.send call, at most. */
  maxChunk?: number;
}

/** What the serde offers the producer: framing of one trade under a registered schema id. */
export interface TradeEncoder {
  readonly schemaId: number;
  encode(trade: Trade): Buffer;
}

export interface AckedRecord {
  emission: Emission;
  key: string;
  ack: RecordAck;
}

export interface ProgressSnapshot {
  sent: number;
  acked: number;
  retried: number;
  failed: number;
  elapsedMs: number;
  /** Records sent per second over the last interval. */
  sendRate: number;
}

export interface ProducerDeps {
  simulator: TradeSimulator;
  encoder: TradeEncoder;
  transport: Transport;
  logger?: Logger;
  /** Aborting stops generation; what is in flight is still flushed and counted. */
  signal?: AbortSignal;
  /** Called for every acknowledged record, in acknowledgement order per key. */
  onAcked?: (record: AckedRecord) => void;
  onProgress?: (snapshot: ProgressSnapshot) => void;
  progressIntervalMs?: number;
}

export type StopReason = 'count' | 'duration' | 'signal' | 'failure';

export interface ProducerSummary {
  transport: string;
  target: string;
  schemaId: number;
  sent: number;
  acked: number;
  retried: number;
  throttled: number;
  failed: number;
  /** Injected faults among the acknowledged records. */
  injected: { duplicates: number; bad: number; late: number };
  bytes: number;
  durationMs: number;
  /** Acknowledged records per second. */
  rate: number;
  ackLatencyMs: { p50: number; p99: number };
  stoppedBy: StopReason;
  /** The first failure, when some records could not be confirmed. */
  error?: string;
}

const DEFAULT_MAX_PENDING = 20_000;
const DEFAULT_MAX_CHUNK = 1000;

export async function runProducer(config: ProducerConfig, deps: ProducerDeps): Promise<ProducerSummary> {
  const { simulator, encoder, transport, signal } = deps;
  const logger = deps.logger ?? silentLogger;
  const maxPending = config.maxPending ?? DEFAULT_MAX_PENDING;
  const maxChunk = config.maxChunk ?? DEFAULT_MAX_CHUNK;
  const latency = new LatencyRecorder();
  const injected = { duplicates: 0, bad: 0, late: 0 };
  let sent = 0;
  let acked = 0;
  let failed = 0;
  let bytes = 0;
  let firstError: TransportError | undefined;
  // A send that rejects (instead of resolving with failed results) or an onAcked that throws: the run stops
  // and rethrows it once the sends in flight have settled.
  let broken: { error: unknown } | undefined;
  const inFlight = new Set<Promise<void>>();

  const start = performance.now();
  const elapsed = (): number => performance.now() - start;

  const account = (
    emissions: Emission[],
    records: OutgoingRecord[],
    sentAt: number,
    results: RecordResult[],
  ) => {
    const ackedAt = performance.now();
    results.forEach((result, index) => {
      if (!result.ok) {
        failed++;
        firstError ??= result.error;
        return;
      }
      acked++;
      latency.record(ackedAt - sentAt);
      const emission = emissions[index]!;
      if (emission.kind === 'duplicate') injected.duplicates++;
      else if (emission.kind === 'bad') injected.bad++;
      else if (emission.late) injected.late++;
      deps.onAcked?.({ emission, key: records[index]!.key, ack: result });
    });
  };

  let lastProgress = { at: 0, sent: 0 };
  const reportProgress = (): void => {
    if (deps.onProgress === undefined) return;
    const now = elapsed();
    const interval = Math.max(1, now - lastProgress.at);
    deps.onProgress({
      sent,
      acked,
      retried: transport.stats().retried,
      failed,
      elapsedMs: now,
      sendRate: ((sent - lastProgress.sent) * 1000) / interval,
    });
    lastProgress = { at: now, sent };
  };
  const progressTimer = setInterval(reportProgress, deps.progressIntervalMs ?? 250);
  progressTimer.unref();

  let stoppedBy: StopReason | undefined;
  try {
    while (stoppedBy === undefined) {
      if (signal?.aborted) stoppedBy = 'signal';
      else if (firstError !== undefined || broken !== undefined) stoppedBy = 'failure';
      else if (config.count !== undefined && sent >= config.count) stoppedBy = 'count';
      else if (config.durationMs !== undefined && elapsed() >= config.durationMs) stoppedBy = 'duration';
      if (stoppedBy !== undefined) break;

      const pending = sent - acked - failed;
      if (pending >= maxPending) {
        await Promise.race(inFlight);
        continue;
      }
      let due = config.rate > 0 ? Math.floor((config.rate * elapsed()) / 1000) + 1 - sent : maxChunk;
      if (config.count !== undefined) due = Math.min(due, config.count - sent);
      due = Math.min(due, maxChunk, maxPending - pending);
      if (due <= 0) {
        await sleep(Math.max(1, Math.min(20, 1000 / config.rate)));
        continue;
      }

      const emissions: Emission[] = new Array(due);
      const records: OutgoingRecord[] = new Array(due);
      for (let i = 0; i < due; i++) {
        const emission = simulator.next();
        emissions[i] = emission;
        records[i] = { key: emission.trade.symbol, value: frame(encoder, emission) };
        bytes += records[i]!.value.length;
      }
      sent += due;
      const sentAt = performance.now();
      const settled = transport
        .send(records)
        .then((results) => account(emissions, records, sentAt, results))
        .catch((error: unknown) => {
          broken ??= { error };
        });
      inFlight.add(settled);
      // settled never rejects (its error is kept in broken), so neither does this.
      void settled.finally(() => inFlight.delete(settled));
      // Let acknowledgements and sockets run between chunks.
      await yieldToIo();
    }
  } finally {
    clearInterval(progressTimer);
  }

  logger.debug({ stoppedBy, inFlight: sent - acked - failed }, 'generation stopped, flushing');
  while (inFlight.size > 0) await Promise.all(inFlight);
  if (broken !== undefined) throw broken.error;
  await transport.flush();
  reportProgress();

  const durationMs = elapsed();
  const stats = transport.stats();
  return {
    transport: transport.kind,
    target: transport.target,
    schemaId: encoder.schemaId,
    sent,
    acked,
    retried: stats.retried,
    throttled: stats.throttled,
    failed,
    injected,
    bytes,
    durationMs: Math.round(durationMs),
    rate: Math.round((acked * 1000) / Math.max(1, durationMs)),
    ackLatencyMs: { p50: round2(latency.percentile(50)), p99: round2(latency.percentile(99)) },
    stoppedBy: firstError !== undefined ? 'failure' : stoppedBy,
    ...(firstError === undefined ? {} : { error: firstError.message }),
  };
}

function frame(encoder: TradeEncoder, emission: Emission): Buffer {
  const bytes = encoder.encode(emission.trade);
  return emission.kind === 'bad' ? corruptFrame(bytes, emission.corruption, emission.seq) : bytes;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
