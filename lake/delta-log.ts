// Replays a Delta table's transaction log (_delta_log) into its live snapshot: the latest checkpoint, if
// any, then every JSON commit after it, applying add/remove actions. Checkpoint parquet is read through
// an injected reader so this module knows nothing of DuckDB.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeltaLogError } from './errors';
import { parseDeltaSchema, type DeltaField } from './delta-schema';

/** The actions of a Delta log this reader uses; others (txn, commitInfo, cdc, …) are ignored. */
export interface DeltaAction {
  add?: AddAction | null;
  remove?: { path: string } | null;
  metaData?: MetadataAction | null;
  protocol?: ProtocolAction | null;
}

interface AddAction {
  path: string;
  partitionValues?: Record<string, string | null> | null;
  deletionVector?: unknown;
}

export interface MetadataAction {
  schemaString: string;
  partitionColumns: string[];
  configuration?: Record<string, string> | null;
}

interface ProtocolAction {
  minReaderVersion: number;
  readerFeatures?: string[] | null;
}

/** Reads the actions stored in checkpoint parquet files (all parts of one checkpoint). */
export type CheckpointReader = (files: string[]) => Promise<DeltaAction[]>;

export interface DataFile {
  /** Absolute path of the parquet file. */
  path: string;
  /** Partition column → value as Delta stores it (a string, or null for a null partition). */
  partitionValues: Record<string, string | null>;
}

export interface DeltaSnapshot {
  tablePath: string;
  version: number;
  fields: DeltaField[];
  partitionColumns: string[];
  files: DataFile[];
  /** The metaData action in force, so a later read can continue from this snapshot. */
  metadata: MetadataAction;
}

const LOG_DIR = '_delta_log';
const COMMIT_FILE = /^(\d{20})\.json$/;
const CHECKPOINT_FILE = /^(\d{20})\.checkpoint(?:\.(\d{10})\.(\d{10}))?\.parquet$/;
const READABLE_FEATURES = new Set(['timestampNtz', 'v2Checkpoint', 'vacuumProtocolCheck']);

export async function isDeltaTable(tablePath: string): Promise<boolean> {
  try {
    return (await fs.stat(path.join(tablePath, LOG_DIR))).isDirectory();
  } catch {
    return false;
  }
}

interface CheckpointRef {
  version: number;
  files: string[];
}

/** The newest complete checkpoint: `_last_checkpoint` when present and intact, else found by listing. */
async function findCheckpoint(logDir: string, names: string[]): Promise<CheckpointRef | undefined> {
  const present = new Set(names);
  const byVersion = new Map<number, { parts: number; names: string[] }>();
  for (const name of names) {
    const match = CHECKPOINT_FILE.exec(name);
    if (match === null) continue;
    const version = Number(match[1]);
    const parts = match[3] === undefined ? 1 : Number(match[3]);
    const entry = byVersion.get(version) ?? { parts, names: [] };
    if (entry.parts === parts) entry.names.push(name);
    byVersion.set(version, entry);
  }
  let hinted: number | undefined;
  try {
    const last = JSON.parse(await fs.readFile(path.join(logDir, '_last_checkpoint'), 'utf8')) as {
      version?: unknown;
    };
    if (typeof last.version === 'number') hinted = last.version;
  } catch {
    hinted = undefined;
  }
  const candidates = [...byVersion.entries()]
    .filter(([, entry]) => entry.names.length === entry.parts && entry.names.every((n) => present.has(n)))
    .map(([version, entry]) => ({ version, files: entry.names.sort().map((n) => path.join(logDir, n)) }))
    .sort((a, b) => b.version - a.version);
  return candidates.find((c) => c.version === hinted) ?? candidates[0];
}

/** Resolves an add/remove path (URL-encoded, relative to the table, or an absolute file URI). */
function resolveDataPath(tablePath: string, actionPath: string): string {
  if (/^file:/i.test(actionPath)) return fileURLToPath(actionPath);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(actionPath)) {
    throw new DeltaLogError(`data file ${actionPath} is not on the local file system`);
  }
  const decoded = decodeURIComponent(actionPath);
  return path.isAbsolute(decoded) ? decoded : path.join(tablePath, decoded);
}

class SnapshotBuilder {
  version = -1;
  metadata: MetadataAction | undefined;
  readonly files = new Map<string, DataFile>();

  constructor(private readonly tablePath: string) {}

  static from(snapshot: DeltaSnapshot): SnapshotBuilder {
    const builder = new SnapshotBuilder(snapshot.tablePath);
    builder.version = snapshot.version;
    builder.metadata = snapshot.metadata;
    for (const file of snapshot.files) builder.files.set(file.path, file);
    return builder;
  }

  apply(action: DeltaAction, where: string): void {
    if (action.protocol) checkProtocol(action.protocol, where);
    if (action.metaData) {
      const mode = action.metaData.configuration?.['delta.columnMapping.mode'];
      if (mode !== undefined && mode !== 'none') {
        throw new DeltaLogError(
          `${where}: column mapping (${mode}) is not supported by the local lake reader`,
        );
      }
      this.metadata = action.metaData;
    }
    if (action.add) {
      if (action.add.deletionVector) {
        throw new DeltaLogError(`${where}: deletion vectors are not supported by the local lake reader`);
      }
      const file = resolveDataPath(this.tablePath, action.add.path);
      this.files.set(file, { path: file, partitionValues: action.add.partitionValues ?? {} });
    }
    if (action.remove) this.files.delete(resolveDataPath(this.tablePath, action.remove.path));
  }
}

function checkProtocol(protocol: ProtocolAction, where: string): void {
  if (protocol.minReaderVersion > 3) {
    throw new DeltaLogError(`${where}: reader version ${protocol.minReaderVersion} is not supported`);
  }
  const unsupported = (protocol.readerFeatures ?? []).filter((f) => !READABLE_FEATURES.has(f));
  if (unsupported.length > 0) {
    throw new DeltaLogError(`${where}: reader features ${unsupported.join(', ')} are not supported`);
  }
}

function parseCommit(text: string, where: string): DeltaAction[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as DeltaAction;
      } catch (error) {
        throw new DeltaLogError(`${where} line ${index + 1} is not JSON`, { cause: error });
      }
    });
}

/**
 * The table's live snapshot at its latest version. Given the snapshot of an earlier read, only the commits
 * after it are replayed (as long as they are all still in the log); otherwise the newest checkpoint is the
 * starting point.
 */
export async function readDeltaSnapshot(
  tablePath: string,
  readCheckpoint: CheckpointReader,
  previous?: DeltaSnapshot,
): Promise<DeltaSnapshot> {
  const logDir = path.join(tablePath, LOG_DIR);
  let names: string[];
  try {
    names = await fs.readdir(logDir);
  } catch (error) {
    throw new DeltaLogError(`${tablePath} is not a Delta table (no ${LOG_DIR})`, { cause: error });
  }
  const versions = names
    .map((name) => COMMIT_FILE.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const latest = versions.at(-1) ?? -1;
  const continues =
    previous !== undefined &&
    previous.tablePath === tablePath &&
    latest >= previous.version &&
    (latest === previous.version || versions.includes(previous.version + 1));
  if (continues && latest === previous.version) return previous;

  let builder: SnapshotBuilder;
  if (continues) {
    builder = SnapshotBuilder.from(previous);
  } else {
    builder = new SnapshotBuilder(tablePath);
    const checkpoint = await findCheckpoint(logDir, names);
    if (checkpoint !== undefined) {
      const where = path.basename(checkpoint.files[0] ?? '');
      for (const action of await readCheckpoint(checkpoint.files)) {
        // A checkpoint's remove actions are tombstones for VACUUM; its adds are already the live set.
        builder.apply({ ...action, remove: null }, where);
      }
      builder.version = checkpoint.version;
    }
  }
  for (const version of versions.filter((v) => v > builder.version)) {
    if (version !== builder.version + 1) {
      throw new DeltaLogError(`${logDir}: commit ${builder.version + 1} is missing before ${version}`);
    }
    const name = `${String(version).padStart(20, '0')}.json`;
    for (const action of parseCommit(await fs.readFile(path.join(logDir, name), 'utf8'), name)) {
      builder.apply(action, name);
    }
    builder.version = version;
  }
  if (builder.version < 0 || builder.metadata === undefined) {
    throw new DeltaLogError(`${tablePath}: the Delta log has no commit with table metadata yet`);
  }
  return {
    tablePath,
    version: builder.version,
    fields: parseDeltaSchema(builder.metadata.schemaString),
    partitionColumns: builder.metadata.partitionColumns,
    files: [...builder.files.values()],
    metadata: builder.metadata,
  };
}
