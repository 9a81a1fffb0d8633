import { describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { fsReason, processAlive, resolveDataDir } from '../../../electron/lab/paths';

describe('resolveDataDir', () => {
  it('prefers BNLAB_HOME, then the app folder Electron gives, then Electron\'s own default', () => {
    expect(resolveDataDir('/electron/userData', { BNLAB_HOME: 'rel/home' }, 'linux')).toBe(path.resolve('rel/home'));
    expect(resolveDataDir('/electron/userData', {}, 'linux')).toBe('/electron/userData');
    expect(resolveDataDir(undefined, {}, 'linux')).toBe(path.join(os.homedir(), '.config', 'BatchNorm Lab'));
    expect(resolveDataDir(undefined, { XDG_CONFIG_HOME: '/xdg' }, 'linux')).toBe(path.join('/xdg', 'BatchNorm Lab'));
    expect(resolveDataDir(undefined, {}, 'darwin')).toBe(path.join(os.homedir(), 'Library', 'Application Support', 'BatchNorm Lab'));
    expect(resolveDataDir(undefined, { APPDATA: 'C:\\Users\\x\\AppData\\Roaming' }, 'win32')).toBe(path.join('C:\\Users\\x\\AppData\\Roaming', 'BatchNorm Lab'));
  });
});

describe('file-system and process facts', () => {
  it('words file-system errors for people', () => {
    const error = (code: string) => Object.assign(new Error(`${code}: raw`), { code });
    expect(fsReason(error('ENOSPC'))).toBe('no space left on the disk');
    expect(fsReason(error('EROFS'))).toBe('the folder is not writable');
    expect(fsReason(error('ENOENT'))).toBe('no such file or folder');
    expect(fsReason(error('EXYZ'))).toBe('EXYZ: raw');
  });

  it('knows whether a process is alive', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(process.ppid)).toBe(true);
    expect(processAlive(2 ** 22 + 12345)).toBe(false); // above Linux's pid_max
  });
});
