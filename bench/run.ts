// `npm run bench`: runs every benchmark in turn and prints one JSON object keyed by benchmark name;
// each result is also kept in bench/results/<name>.json (git-ignored). Pass names to run only those.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, VENV_DIR } from '../core/paths';

interface Benchmark {
  name: string;
  command: string;
  args: string[];
}

const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const python = path.join(VENV_DIR, 'bin', 'python');

const BENCHMARKS: Benchmark[] = [
  { name: 'serde', command: tsx, args: ['bench/serde.ts'] },
  { name: 'produce', command: tsx, args: ['bench/produce.ts'] },
  { name: 'bronze', command: tsx, args: ['bench/bronze.ts'] },
  { name: 'kinesis_read', command: python, args: ['bench/kinesis_read.py'] },
  { name: 'silver_gold', command: python, args: ['bench/silver_gold.py'] },
  { name: 'freshness', command: tsx, args: ['bench/freshness.ts'] },
];

/** A benchmark prints one JSON object: either all of stdout, or its last line after progress lines. */
function parseResult(stdout: string): unknown {
  const text = stdout.trim();
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(text.split('\n').pop() ?? '');
  }
}

function main(names: string[]): number {
  const unknown = names.filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown benchmark ${unknown.join(', ')} (have ${BENCHMARKS.map((b) => b.name).join(', ')})\n`,
    );
    return 2;
  }
  const selected = names.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => names.includes(b.name));
  const resultsDir = path.join(REPO_ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const results: Record<string, unknown> = {};
  let failed = 0;
  for (const bench of selected) {
    process.stderr.write(`bench: running ${bench.name}\n`);
    const run = spawnSync(bench.command, bench.args, {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    try {
      results[bench.name] = parseResult(run.stdout);
      writeFileSync(
        path.join(resultsDir, `${bench.name}.json`),
        JSON.stringify(results[bench.name], null, 2) + '\n',
      );
    } catch {
      failed += 1;
      results[bench.name] = { error: `exited with ${run.status ?? run.signal}, no JSON result` };
    }
  }
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  return failed === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
