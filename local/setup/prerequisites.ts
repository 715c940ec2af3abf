// Finds the tools that setup and the stand-ins run on (Java, Python, Maven) and checks their versions,
// so a missing or too-old tool becomes one line naming it instead of a failure deep inside mvn or pip.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../core/errors';
import { readEnv } from '../../core/env';

export interface Version {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

export interface FoundTool {
  /** Absolute path or a PATH command name, ready to spawn. */
  command: string;
  version: Version;
}

export const MIN_PYTHON: readonly [number, number] = [3, 10];
export const MIN_MAVEN: readonly [number, number] = [3, 6];
export const MIN_JAVA_KAFKA = 17;
export const MIN_JAVA_REGISTRY = 21;

const ANSI = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g');

function toVersion(parts: Array<string | undefined>, text: string): Version {
  const [major, minor, patch] = parts.map((part) => (part === undefined ? 0 : Number(part)));
  return { major: major ?? 0, minor: minor ?? 0, patch: patch ?? 0, text };
}

/** `openjdk version "17.0.15" 2025-04-15`, `java version "1.8.0_292"`, `openjdk version "25-ea"` → version. */
export function parseJavaVersion(output: string): Version | undefined {
  const match = /version "(\d+)(?:\.(\d+))?(?:\.(\d+))?[^"]*"/.exec(output);
  if (match === null) return undefined;
  const text = /version "([^"]+)"/.exec(output)?.[1] ?? match[1]!;
  // Java 8 and older report themselves as 1.x.
  if (match[1] === '1' && match[2] !== undefined) return toVersion([match[2], match[3], undefined], text);
  return toVersion([match[1], match[2], match[3]], text);
}

/** `Python 3.11.7` → version. */
export function parsePythonVersion(output: string): Version | undefined {
  const match = /Python (\d+)\.(\d+)(?:\.(\d+))?/.exec(output);
  return match === null ? undefined : toVersion([match[1], match[2], match[3]], match[0].slice(7));
}

/** `Apache Maven 3.8.7 (…)`, possibly wrapped in terminal colour codes → version. */
export function parseMavenVersion(output: string): Version | undefined {
  const match = /Apache Maven (\d+)\.(\d+)(?:\.(\d+))?/.exec(output.replace(ANSI, ''));
  return match === null ? undefined : toVersion([match[1], match[2], match[3]], match[0].slice(13));
}

export function isAtLeast(version: Version, minimum: readonly [number, number]): boolean {
  return version.major > minimum[0] || (version.major === minimum[0] && version.minor >= minimum[1]);
}

/** Output (stdout + stderr) of `command args`, or undefined when it cannot be run at all. */
function probe(command: string, args: string[], env?: NodeJS.ProcessEnv): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000, env });
  if (result.error !== undefined) return undefined;
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

function defaultJvmDirs(): string[] {
  const configured = readEnv('STREAMSOFT_JVM_DIRS');
  if (configured !== undefined) return configured.split(path.delimiter).filter((dir) => dir !== '');
  return ['/usr/lib/jvm', '/usr/java', '/opt/java', '/Library/Java/JavaVirtualMachines'];
}

/** Places a JDK may be, in order of preference: JAVA_HOME, `java` on PATH, then installed JDK folders. */
export function javaCandidates(jvmDirs: string[] = defaultJvmDirs()): string[] {
  const candidates: string[] = [];
  const javaHome = readEnv('JAVA_HOME');
  if (javaHome !== undefined) candidates.push(path.join(javaHome, 'bin', 'java'));
  candidates.push('java');
  for (const dir of jvmDirs) {
    let entries: string[];
    try {
      entries = fs.readdirSync(dir).sort().reverse();
    } catch {
      continue;
    }
    for (const entry of entries) {
      for (const java of [
        path.join(dir, entry, 'bin', 'java'),
        path.join(dir, entry, 'Contents', 'Home', 'bin', 'java'),
      ]) {
        if (fs.existsSync(java)) candidates.push(java);
      }
    }
  }
  return candidates;
}

const javaCache = new Map<string, Version | null>();

function javaVersionOf(command: string): Version | undefined {
  if (!javaCache.has(command)) {
    const output = probe(command, ['-version']);
    javaCache.set(command, (output === undefined ? undefined : parseJavaVersion(output)) ?? null);
  }
  return javaCache.get(command) ?? undefined;
}

/**
 * The first Java of at least `minMajor` among the candidates. `purpose` names what needs it, for the error:
 * `Java not found (need >= 21 for Apicurio Registry; looked in JAVA_HOME, PATH, /usr/lib/jvm)`.
 */
export function findJava(
  minMajor: number,
  purpose: string,
  candidates: string[] = javaCandidates(),
): FoundTool {
  let newestTooOld: Version | undefined;
  for (const command of candidates) {
    const version = javaVersionOf(command);
    if (version === undefined) continue;
    if (version.major >= minMajor) return { command, version };
    if (newestTooOld === undefined || version.major > newestTooOld.major) newestTooOld = version;
  }
  if (newestTooOld !== undefined) {
    throw new EnvironmentError(
      `Java ${newestTooOld.text} is too old for ${purpose} (need >= ${minMajor}); set JAVA_HOME to a newer JDK`,
    );
  }
  const where = ['JAVA_HOME', 'PATH', ...defaultJvmDirs()].join(', ');
  throw new EnvironmentError(`Java not found (need >= ${minMajor} for ${purpose}; looked in ${where})`);
}

function findOnPath(
  label: string,
  commands: string[],
  args: string[],
  parse: (output: string) => Version | undefined,
  minimum: readonly [number, number],
  env?: NodeJS.ProcessEnv,
): FoundTool {
  const need = `need >= ${minimum.join('.')}`;
  let tooOld: Version | undefined;
  for (const command of commands) {
    const output = probe(command, args, env);
    const version = output === undefined ? undefined : parse(output);
    if (version === undefined) continue;
    if (isAtLeast(version, minimum)) return { command, version };
    tooOld ??= version;
  }
  if (tooOld !== undefined) throw new EnvironmentError(`${label} ${tooOld.text} is too old (${need})`);
  throw new EnvironmentError(`${label} not found on PATH (${need})`);
}

export function findPython(): FoundTool {
  return findOnPath('Python', ['python3', 'python'], ['--version'], parsePythonVersion, MIN_PYTHON);
}

/** Maven runs on `java`; it gets JAVA_HOME pointing at the JDK we found, in case none is on PATH. */
export function findMaven(java: FoundTool): FoundTool {
  return findOnPath('Maven', ['mvn'], ['-version'], parseMavenVersion, MIN_MAVEN, mavenEnv(java));
}

/** The environment for running Maven with the given JDK. */
export function mavenEnv(java: FoundTool): NodeJS.ProcessEnv {
  if (!path.isAbsolute(java.command)) return { ...process.env };
  return { ...process.env, JAVA_HOME: path.dirname(path.dirname(java.command)) };
}
