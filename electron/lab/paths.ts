/**
 * Where the lab keeps its data (BNLAB_HOME when set, else the per-user app folder), and the few
 * file-system and process facts the dataset manager and run store both need.
 */
import os from 'node:os';
import path from 'node:path';

/**
 * The data folder. `appDataDir` is Electron's userData folder when running as the app; the CLI and
 * browser mode use the platform's usual per-user folder. BNLAB_HOME wins over both (CLI, tests).
 */
export function resolveDataDir(appDataDir?: string): string {
  if (process.env.BNLAB_HOME) return path.resolve(process.env.BNLAB_HOME);
  if (appDataDir) return appDataDir;
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'BatchNorm Lab');
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'BatchNorm Lab');
    default:
      return path.join(process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'batchnorm-lab');
  }
}

/** A file-system error as a person reads it: "no space left on the disk", not "ENOSPC: …". */
export function fsReason(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOSPC':
      return 'no space left on the disk';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'the folder is not writable';
    case 'ENOENT':
      return 'no such file or folder';
    case 'EISDIR':
      return 'it is a folder, not a file';
    default:
      return (error as Error).message;
  }
}

/** Whether a process with this id is alive on this machine (a leftover's owner, say). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
