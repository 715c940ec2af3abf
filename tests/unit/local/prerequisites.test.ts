// Version parsing of `java -version`, `python --version` and `mvn -version`, and the one-line errors for a
// missing or too-old tool.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnvironmentError } from '../../../core/errors';
import {
  findJava,
  isAtLeast,
  parseJavaVersion,
  parseMavenVersion,
  parsePythonVersion,
} from '../../../local/setup/prerequisites';

describe('parseJavaVersion', () => {
  it.each([
    [
      'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)',
      17,
      0,
      15,
    ],
    ['openjdk version "25.0.1" 2025-10-21 LTS\nOpenJDK Runtime Environment Temurin-25.0.1+8', 25, 0, 1],
    ['java version "1.8.0_292"\nJava(TM) SE Runtime Environment (build 1.8.0_292-b10)', 8, 0, 0],
    ['openjdk version "21" 2023-09-19\nOpenJDK Runtime Environment (build 21+35-2513)', 21, 0, 0],
    ['openjdk version "26-ea" 2026-03-17', 26, 0, 0],
    ['Picked up JAVA_TOOL_OPTIONS: -Xmx1g\nopenjdk version "11.0.2" 2019-01-15', 11, 0, 2],
  ])('reads %j', (output, major, minor, patch) => {
    expect(parseJavaVersion(output)).toMatchObject({ major, minor, patch });
  });

  it('returns undefined for output without a version', () => {
    expect(parseJavaVersion('bash: java: command not found')).toBeUndefined();
  });
});

describe('parsePythonVersion', () => {
  it('reads "Python 3.11.7"', () => {
    expect(parsePythonVersion('Python 3.11.7\n')).toMatchObject({
      major: 3,
      minor: 11,
      patch: 7,
      text: '3.11.7',
    });
  });

  it('reads a pre-release such as "Python 3.13.0rc2"', () => {
    expect(parsePythonVersion('Python 3.13.0rc2')).toMatchObject({ major: 3, minor: 13, patch: 0 });
  });

  it('returns undefined for anything else', () => {
    expect(parsePythonVersion('Python was not found')).toBeUndefined();
  });
});

describe('parseMavenVersion', () => {
  it('reads the first line of mvn -version, also wrapped in colour codes', () => {
    const esc = String.fromCharCode(27);
    const output = `${esc}[1mApache Maven 3.8.7${esc}[m\nMaven home: /usr/share/maven\nJava version: 17.0.15`;
    expect(parseMavenVersion(output)).toMatchObject({ major: 3, minor: 8, patch: 7, text: '3.8.7' });
  });

  it('reads "Apache Maven 3.9.11 (3e54c93a704957b63ee3494413a2b544fd3d825b)"', () => {
    expect(parseMavenVersion('Apache Maven 3.9.11 (3e54c93a704957b63ee3494413a2b544fd3d825b)')).toMatchObject(
      {
        major: 3,
        minor: 9,
        patch: 11,
      },
    );
  });
});

describe('isAtLeast', () => {
  const v = (major: number, minor: number) => ({ major, minor, patch: 0, text: `${major}.${minor}` });
  it('compares major, then minor', () => {
    expect(isAtLeast(v(3, 10), [3, 10])).toBe(true);
    expect(isAtLeast(v(3, 9), [3, 10])).toBe(false);
    expect(isAtLeast(v(4, 0), [3, 10])).toBe(true);
    expect(isAtLeast(v(3, 5), [3, 6])).toBe(false);
  });
});

describe('findJava', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-java-'));
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function fakeJava(name: string, version: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!/bin/sh\necho 'openjdk version "${version}" 2025-01-01' >&2\n`, {
      mode: 0o755,
    });
    return file;
  }

  it('picks the first candidate that is new enough', () => {
    const old = fakeJava('java11', '11.0.2');
    const ok = fakeJava('java21', '21.0.4');
    const newer = fakeJava('java25', '25.0.1');
    expect(findJava(17, 'the Kafka broker', [old, ok, newer])).toMatchObject({
      command: ok,
      version: { major: 21 },
    });
  });

  it('names the tool and the minimum when no Java exists', () => {
    const missing = path.join(dir, 'no-such-java');
    expect(() => findJava(21, 'Apicurio Registry', [missing])).toThrow(EnvironmentError);
    expect(() => findJava(21, 'Apicurio Registry', [missing])).toThrow(
      /^Java not found \(need >= 21 for Apicurio Registry;/,
    );
  });

  it('says which Java is too old', () => {
    const old = fakeJava('java11b', '11.0.9');
    expect(() => findJava(17, 'the Kafka broker', [old])).toThrow(
      'Java 11.0.9 is too old for the Kafka broker (need >= 17); set JAVA_HOME to a newer JDK',
    );
  });
});
