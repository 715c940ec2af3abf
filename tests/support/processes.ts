// Process checks the tests share: is a pid still a running process (a zombie is not: it has ended, and only
// waits for its parent to collect it).
import { readFileSync } from 'node:fs';

export function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}
