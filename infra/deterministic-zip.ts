// A byte-for-byte reproducible zip of a Python package folder: sorted entries, fixed timestamps, no
// caches. The Glue jobs' `--extra-py-files` object is keyed by its hash, so the same source must give
// the same bytes on every machine, or each synth would upload a new object.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const SKIPPED = new Set(['__pycache__', '.pytest_cache', '.mypy_cache']);
// 1980-01-01 00:00, the earliest time a zip entry can carry.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

function listFiles(root: string, relative = ''): string[] {
  const dir = path.join(root, relative);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => !SKIPPED.has(e.name) && !e.name.endsWith('.pyc'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => {
      const rel = relative === '' ? e.name : `${relative}/${e.name}`;
      if (e.isDirectory()) return listFiles(root, rel);
      return e.isFile() ? [rel] : [];
    });
}

/**
 * Zips `sourceDir` so that its folder name is the top-level entry (`streamsoft_jobs/__init__.py`),
 * which is what Python needs to import the package from the archive.
 */
export function zipPackage(sourceDir: string): Buffer {
  const top = path.basename(sourceDir);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const rel of listFiles(sourceDir)) {
    const name = Buffer.from(`${top}/${rel}`, 'utf8');
    const data = fs.readFileSync(path.join(sourceDir, rel));
    const compressed = zlib.deflateRawSync(data, { level: 9 });
    const crc = zlib.crc32(data) >>> 0;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, spec 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);

    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const centralDir = Buffer.concat(centrals);
  const entries = centrals.length / 2;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries, 8);
  end.writeUInt16LE(entries, 10);
  end.writeUInt32LE(centralDir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralDir, end]);
}
