// The Chromium the browser tests drive through playwright-core: STREAMSOFT_CHROMIUM, else the usual system
// paths. Playwright's own browser download is not used; CI installs Debian's `chromium` (.ci/run).
import { existsSync } from 'node:fs';

export const SYSTEM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** The browser executable, or an error saying in one line how to get one. */
export function chromiumExecutable(
  env: NodeJS.ProcessEnv = process.env,
  candidates: readonly string[] = SYSTEM_PATHS,
): string {
  const explicit = env['STREAMSOFT_CHROMIUM'];
  if (explicit !== undefined && explicit !== '') {
    if (!existsSync(explicit)) throw new Error(`STREAMSOFT_CHROMIUM=${explicit}: no such file`);
    return explicit;
  }
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined)
    throw new Error(
      `no Chromium found at ${candidates.join(', ')}: install it (apt-get install chromium) or set STREAMSOFT_CHROMIUM`,
    );
  return found;
}
