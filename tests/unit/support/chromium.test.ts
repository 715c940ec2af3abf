// The browser tests' Chromium lookup: a missing browser is one line saying how to get one, not a Playwright
// launch failure deep in a stack trace.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SYSTEM_PATHS, chromiumExecutable } from '../../support/chromium';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'chromium-lookup-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('no browser anywhere: the error names the paths tried and how to install one', () => {
  const tried = [path.join(dir, 'chromium'), path.join(dir, 'google-chrome')];
  expect(() => chromiumExecutable({}, tried)).toThrow(
    `no Chromium found at ${tried.join(', ')}: install it (apt-get install chromium) or set STREAMSOFT_CHROMIUM`,
  );
});

test('STREAMSOFT_CHROMIUM naming a missing file is an error, not a fallback', () => {
  const missing = path.join(dir, 'no-such-browser');
  expect(() => chromiumExecutable({ STREAMSOFT_CHROMIUM: missing }, [])).toThrow(
    `STREAMSOFT_CHROMIUM=${missing}: no such file`,
  );
});

test('the first system path that exists is used; STREAMSOFT_CHROMIUM wins over it', () => {
  const [first, second] = [path.join(dir, 'a'), path.join(dir, 'b')];
  writeFileSync(second, '');
  expect(chromiumExecutable({}, [first, second])).toBe(second);
  writeFileSync(first, '');
  expect(chromiumExecutable({ STREAMSOFT_CHROMIUM: second }, [first, second])).toBe(second);
  expect(SYSTEM_PATHS).toContain('/usr/bin/chromium');
});
