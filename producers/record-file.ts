// The --record-file: one JSON line per acknowledged record (what was sent and where it landed), the
// independent expected set that tests and downstream checks compare a stream against.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Trade } from '../schemas/trade';
import type { AckedRecord } from './run-producer';

export interface RecordLine {
  seq: number;
  kind: 'trade' | 'duplicate' | 'bad';
  late?: boolean;
  corruption?: string;
  key: string;
  partition: string;
  position: string;
  trade: Trade;
}

export function toRecordLine({ emission, key, ack }: AckedRecord): RecordLine {
  return {
    seq: emission.seq,
    kind: emission.kind,
    ...(emission.kind === 'trade' ? { late: emission.late } : {}),
    ...(emission.kind === 'bad' ? { corruption: emission.corruption } : {}),
    key,
    partition: ack.partition,
    position: ack.position,
    trade: emission.trade,
  };
}

export class RecordFile {
  private readonly out: WriteStream;

  constructor(path: string) {
    this.out = createWriteStream(path, { flags: 'w' });
  }

  write(record: AckedRecord): void {
    this.out.write(JSON.stringify(toRecordLine(record)) + '\n');
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'finish');
  }
}
