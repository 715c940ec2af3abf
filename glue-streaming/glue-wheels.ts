// The Python packages the Glue jobs need beyond the Glue runtime, as pinned in requirements-glue.txt, and
// how their wheels are recognised: `streamsoft setup` downloads them, `streamsoft infra synth` uploads them.
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, TOOLS_DIR } from '../core/paths';

export const GLUE_REQUIREMENTS = path.join(REPO_ROOT, 'glue-streaming', 'requirements-glue.txt');
/** Where `streamsoft setup` puts the wheels and `streamsoft infra synth` looks for them by default. */
export const GLUE_WHEELS_DIR = path.join(TOOLS_DIR, 'glue-wheels');
/** Glue 6.0's Python (README "Versions"); the wheels must install there, not on the local 3.11. */
export const GLUE_PYTHON_VERSION = '3.13';
export const GLUE_WHEEL_PLATFORM = 'manylinux2014_x86_64';

export interface PythonPin {
  name: string;
  version: string;
}

/** The `name==version` lines of a requirements file (comments and blank lines skipped). */
export function readPins(file: string = GLUE_REQUIREMENTS): PythonPin[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '')
    .map((line) => {
      const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!-]+)$/.exec(line);
      if (m === null) throw new Error(`${file}: not a name==version pin: ${line}`);
      return { name: m[1]!, version: m[2]! };
    });
}

/** `charset-normalizer` → `charset_normalizer`, as wheel file names spell distributions (PEP 427/503). */
function wheelName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '_');
}

/** The wheel file of each pin among `files` (basenames), and the pins that have none. */
export function matchWheels(pins: PythonPin[], files: string[]): { wheels: string[]; missing: PythonPin[] } {
  const wheels: string[] = [];
  const missing: PythonPin[] = [];
  for (const pin of pins) {
    const prefix = `${wheelName(pin.name)}-${pin.version}-`;
    const found = files.filter((f) => f.endsWith('.whl') && f.toLowerCase().startsWith(prefix)).sort();
    if (found.length === 0) missing.push(pin);
    else wheels.push(found[0]!);
  }
  return { wheels, missing };
}

export function pinText(pin: PythonPin): string {
  return `${pin.name}==${pin.version}`;
}
