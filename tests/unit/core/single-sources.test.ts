// Each contract lives in one file (ARCHITECTURE.md): these checks fail when a copy of a local endpoint, the
// registry path, the reader schema's file name or a job's location arguments reappears elsewhere, or when
// infra's config reaches for the CLI layer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../../core/paths';

const SOURCE_DIRS = [
  'bench',
  'bin',
  'cli',
  'connectors',
  'core',
  'glue-streaming',
  'infra',
  'lake',
  'local',
  'metabase',
  'producers',
  'schemas',
];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : sourceFiles(full);
    return /\.(ts|js|cjs|py)$/.test(entry.name) ? [full] : [];
  });
}

/** Code lines only: a comment or docstring line that says where a thing lives is not a copy of it. */
function codeLines(file: string): Array<{ line: number; text: string }> {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((text, index) => ({ line: index + 1, text }))
    .filter(({ text }) => !/^\s*(\/\/|\/?\*|#|""")/.test(text));
}

/** Relative imports of a TypeScript file, resolved to files. */
function relativeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^(?:import|export)[^'"]*from '(\.[^']+)'/gm)].map((m) => m[1]!);
  return specifiers.map((specifier) => {
    const base = path.resolve(path.dirname(file), specifier);
    return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => fs.existsSync(candidate)) ?? base;
  });
}

function importClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file) || !file.endsWith('.ts')) continue;
    seen.add(file);
    pending.push(...relativeImports(file));
  }
  return seen;
}

/** file:line of every code line matching the pattern outside its owner. */
function copies(files: string[], pattern: RegExp, owner: string): string[] {
  return files
    .filter((file) => path.relative(REPO_ROOT, file) !== owner)
    .flatMap((file) =>
      codeLines(file)
        .filter(({ text }) => pattern.test(text))
        .map(({ line }) => `${path.relative(REPO_ROOT, file)}:${line}`),
    );
}

describe('one source per contract', () => {
  const files = SOURCE_DIRS.flatMap((dir) => sourceFiles(path.join(REPO_ROOT, dir)));

  it.each([
    ['a local stand-in address', 'core/local-endpoints.ts', /127\.0\.0\.1:\d/],
    ['the registry API path', 'core/local-endpoints.ts', /['"`]\/apis\/ccompat\/v7/],
    ['a Trade schema file name', 'schemas/trade-schemas.ts', /trade-v\d+\.avsc/],
  ])('%s is written only in %s', (_what, owner, pattern) => {
    expect(copies(files, pattern, owner)).toEqual([]);
  });

  it("the TypeScript side builds the jobs' lake, checkpoint and source arguments in one module", () => {
    // infra, `up`, `jobs` and the benchmarks call glue-streaming/job-arguments.ts; the Python jobs parse them.
    const pattern =
      /['"`]--(lake-path|[a-z]*-?checkpoint-path|stream-name|kafka-group-id-prefix|kinesis-reader|kinesis-efo-consumer)['"`]/;
    const typescript = files.filter((file) => file.endsWith('.ts'));
    expect(copies(typescript, pattern, 'glue-streaming/job-arguments.ts')).toEqual([]);
  });

  it('reports a copy in code and not one in a comment', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'single-sources-'));
    try {
      const file = path.join(dir, 'copy.ts');
      fs.writeFileSync(file, "// e.g. http://127.0.0.1:8081\nconst url = 'http://127.0.0.1:8081/x';\n");
      expect(copies([file], /127\.0\.0\.1:\d/, 'core/local-endpoints.ts')).toEqual([
        `${path.relative(REPO_ROOT, file)}:2`,
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('infra/config.ts does not import the CLI layer, directly or through another module', () => {
    const closure = [...importClosure(path.join(REPO_ROOT, 'infra', 'config.ts'))].map((file) =>
      path.relative(REPO_ROOT, file),
    );
    expect(closure).toContain('core/validation.ts');
    expect(closure.filter((file) => file.startsWith('cli/'))).toEqual([]);
  });
});
