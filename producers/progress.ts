// Live progress of a produce run on a terminal: one line, redrawn in place, on stderr.
import type { ProgressSnapshot } from './run-producer';

export interface ProgressLine {
  update(snapshot: ProgressSnapshot): void;
  done(): void;
}

const format = (n: number): string => Math.round(n).toLocaleString('en-US');

export function progressLine(stream: NodeJS.WriteStream = process.stderr): ProgressLine {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let drawn = false;
  return {
    update(s) {
      const seconds = (s.elapsedMs / 1000).toFixed(1);
      stream.write(
        `\r\x1b[2K${seconds}s  sent ${format(s.sent)} (${format(s.sendRate)}/s)  acked ${format(s.acked)}  ` +
          `retried ${format(s.retried)}  failed ${format(s.failed)}`,
      );
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
