/** Where the lab keeps its data: BNLAB_HOME when set (CLI, tests), else the per-user app folder. */
import os from 'node:os';
import path from 'node:path';

/**
 * The data folder. `appDataDir` is Electron's userData folder when running as the app; the CLI and
 * browser mode use the platform's usual per-user folder.
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
