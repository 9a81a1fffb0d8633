/**
 * Where the lab keeps its data (BNLAB_HOME when set, else the per-user app folder), and the few
 * file-system and process facts the dataset manager and run store both need.
 */
import os from 'node:os';
import path from 'node:path';

/** The app's name as Electron derives its userData folder from it (package.json productName). */
export const APP_FOLDER_NAME = 'BatchNorm Lab';

/**
 * The data folder. BNLAB_HOME wins (CLI, tests); then `appDataDir`, Electron's userData folder when
 * running as the app; otherwise the folder Electron would choose, so the CLI and browser mode see
 * the app's runs and datasets (the store's sessions make sharing it safe).
 */
export function resolveDataDir(appDataDir?: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.BNLAB_HOME) return path.resolve(env.BNLAB_HOME);
  if (appDataDir) return appDataDir;
  const home = os.homedir();
  switch (platform) {
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_FOLDER_NAME);
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', APP_FOLDER_NAME);
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_FOLDER_NAME);
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
