// Where things live: the repository root (scripts, schemas) and the local data dir (lake, logs, pids).
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..');

/** Tooling installed by `streamsoft setup`: the Python virtualenv and the Maven-fetched jars. */
export const TOOLS_DIR = path.join(REPO_ROOT, '.tools');
export const VENV_DIR = path.join(TOOLS_DIR, 'venv');
export const JARS_DIR = path.join(TOOLS_DIR, 'jars');

export const DEFAULT_DATA_DIR = '.streamsoft';

export interface DataDirLayout {
  root: string;
  lake: string;
  checkpoints: string;
  logs: string;
  run: string;
  services: string;
}

export function dataDirLayout(dataDir: string): DataDirLayout {
  const root = path.resolve(dataDir);
  return {
    root,
    lake: path.join(root, 'lake'),
    checkpoints: path.join(root, 'checkpoints'),
    logs: path.join(root, 'logs'),
    run: path.join(root, 'run'),
    services: path.join(root, 'services'),
  };
}
