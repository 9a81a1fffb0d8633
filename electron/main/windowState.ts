/**
 * Remembering the window's size and position. The logic is a pure function (clamp a saved
 * rectangle onto the displays that exist now); only reading and writing the JSON file is I/O.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { WindowBounds } from './windowOptions';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_BOUNDS: WindowBounds = { width: 1400, height: 900 };

/**
 * Saved bounds made safe for today's displays: a window that would open off-screen (a monitor was
 * unplugged) is centred on the first display instead, and is never larger than that display.
 */
export function restoreBounds(saved: WindowBounds | null, displays: Rect[]): WindowBounds {
  const primary = displays[0] ?? { x: 0, y: 0, width: 1400, height: 900 };
  const fit = (bounds: WindowBounds, display: Rect) => ({
    width: Math.min(Math.max(bounds.width, 900), display.width),
    height: Math.min(Math.max(bounds.height, 600), display.height),
  });
  if (!saved) return { ...DEFAULT_BOUNDS, ...fit(DEFAULT_BOUNDS, primary) };
  // The display that holds the window's title bar, if any still does.
  const home =
    saved.x === undefined || saved.y === undefined
      ? undefined
      : displays.find((d) => saved.x! + 100 <= d.x + d.width && saved.x! + saved.width - 100 >= d.x && saved.y! >= d.y && saved.y! + 50 <= d.y + d.height);
  const maximized = saved.maximized ?? false;
  if (home) return { x: saved.x, y: saved.y, ...fit(saved, home), maximized };
  const size = fit(saved, primary);
  return {
    x: Math.round(primary.x + (primary.width - size.width) / 2),
    y: Math.round(primary.y + (primary.height - size.height) / 2),
    ...size,
    maximized,
  };
}

/** Reads saved bounds, or null when there are none or the file is unreadable. */
export function loadBounds(file: string): WindowBounds | null {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<WindowBounds>;
    if (typeof value.width !== 'number' || typeof value.height !== 'number') return null;
    return value as WindowBounds;
  } catch {
    return null;
  }
}

export function saveBounds(file: string, bounds: WindowBounds): void {
  try {
    writeFileSync(file, JSON.stringify(bounds));
  } catch {
    // Losing the window position is not worth an error dialog.
  }
}
