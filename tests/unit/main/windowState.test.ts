import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_BOUNDS, loadBounds, restoreBounds, saveBounds } from '../../../electron/main/windowState';
import { menuTemplate } from '../../../electron/main/menuTemplate';
import type { MenuCommand } from '../../../shared/api';

const laptop = { x: 0, y: 0, width: 1366, height: 768 };
const external = { x: 1366, y: 0, width: 2560, height: 1440 };

describe('restoreBounds', () => {
  it('uses the defaults, shrunk to the display, when nothing was saved', () => {
    expect(restoreBounds(null, [laptop])).toEqual({ width: Math.min(DEFAULT_BOUNDS.width, 1366), height: Math.min(DEFAULT_BOUNDS.height, 768) });
  });

  it('keeps a saved window that is still on a display', () => {
    expect(restoreBounds({ x: 1500, y: 100, width: 1200, height: 800 }, [laptop, external])).toEqual({ x: 1500, y: 100, width: 1200, height: 800, maximized: false });
  });

  it('centres a window whose monitor was unplugged, at most the size of the display left', () => {
    const restored = restoreBounds({ x: 1500, y: 100, width: 2000, height: 1200, maximized: true }, [laptop]);
    expect(restored).toEqual({ x: 0, y: 0, width: 1366, height: 768, maximized: true });
  });
});

describe('bounds file', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips and treats a corrupt file as none', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bnlab-bounds-'));
    const file = path.join(dir, 'window.json');
    expect(loadBounds(file)).toBeNull();
    saveBounds(file, { x: 5, y: 6, width: 1000, height: 700, maximized: false });
    expect(loadBounds(file)).toEqual({ x: 5, y: 6, width: 1000, height: 700, maximized: false });
    writeFileSync(file, '{not json');
    expect(loadBounds(file)).toBeNull();
  });
});

describe('menuTemplate', () => {
  it('sends File, View and Help commands to the renderer', () => {
    const sent: MenuCommand[] = [];
    const template = menuTemplate((command) => sent.push(command), false);
    const click = (menu: string, label: string) => {
      const submenu = template.find((item) => item.label === menu)!.submenu as Array<{ label?: string; click?: () => void }>;
      submenu.find((item) => item.label === label)!.click!();
    };
    click('File', 'Import Dataset…');
    click('File', 'Export Runs…');
    click('View', 'Toggle Dark Theme');
    click('Help', 'About BatchNorm Lab');
    expect(sent).toEqual(['importDataset', 'exportRuns', 'toggleTheme', 'about']);
  });
});
