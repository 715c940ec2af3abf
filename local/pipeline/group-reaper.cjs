// The guard `up` starts first: it reads the process groups `up` starts (one pid per line on stdin) and, if
// its stdin ends without the line `done` (`up` died, even by SIGKILL: the kernel closes the pipe), stops
// every group: SIGTERM, then SIGKILL after a grace period. Plain CommonJS, so it starts in milliseconds.
// Usage: node group-reaper.cjs [graceMs]
/* global process, setTimeout, setInterval, clearInterval */
'use strict';

const graceMs = Number(process.argv[2] || 8000);
const groups = new Set();
let done = false;
let pending = '';

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function reap() {
  const live = [...groups].filter((pid) => signalGroup(pid, 'SIGTERM'));
  if (live.length === 0) process.exit(0);
  const started = Date.now();
  const check = setInterval(() => {
    const left = live.filter((pid) => signalGroup(pid, 0));
    if (left.length === 0 || Date.now() - started >= graceMs) {
      for (const pid of left) signalGroup(pid, 'SIGKILL');
      clearInterval(check);
      process.exit(0);
    }
  }, 200);
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop();
  for (const line of lines) {
    if (line === 'done') done = true;
    else if (/^\d+$/.test(line)) groups.add(Number(line));
    else if (/^-\d+$/.test(line)) groups.delete(Number(line.slice(1)));
  }
});
process.stdin.on('end', () => (done ? process.exit(0) : reap()));
process.stdin.on('error', () => reap());
// Signals meant for `up`'s terminal (Ctrl-C) do not reach this detached group; these would be explicit.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => reap());
setTimeout(() => undefined, 2 ** 31 - 1);
