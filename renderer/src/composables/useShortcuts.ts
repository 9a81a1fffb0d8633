/**
 * Keyboard shortcuts for the common actions. Plain keys are ignored while typing in a field;
 * chords with Ctrl/⌘ or Alt work everywhere.
 */
import { onScopeDispose } from 'vue';

export interface Shortcut {
  /** "Ctrl+Enter", "Alt+1", "?" — Ctrl also matches ⌘ on macOS. */
  keys: string;
  description: string;
  run: () => void;
}

export interface ShortcutsOptions {
  /** Where to listen. Default: window. */
  target?: Window | HTMLElement;
}

/** Whether `event` is the chord written as `keys`. */
export function matchesShortcut(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>, keys: string): boolean {
  const parts = keys.split('+');
  const key = parts.pop()!;
  const wantCtrl = parts.includes('Ctrl');
  const wantAlt = parts.includes('Alt');
  const wantShift = parts.includes('Shift');
  if ((event.ctrlKey || event.metaKey) !== wantCtrl || event.altKey !== wantAlt) return false;
  // "?" is typed with Shift on most layouts: only check Shift when the chord names it.
  if (wantShift && !event.shiftKey) return false;
  return event.key.toLowerCase() === key.toLowerCase();
}

const NON_TEXT_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file']);

/** Whether keys typed into `el` are text (so plain-key shortcuts must not take them). */
function isTextEntry(el: HTMLElement): boolean {
  if (el.isContentEditable || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  return el.tagName === 'INPUT' && !NON_TEXT_INPUTS.has((el as HTMLInputElement).type);
}

export function useShortcuts(shortcuts: readonly Shortcut[], options: ShortcutsOptions = {}) {
  const target = options.target ?? window;
  const onKey = (e: Event) => {
    const event = e as KeyboardEvent;
    const el = event.target as HTMLElement | null;
    const typing = !!el && isTextEntry(el);
    for (const s of shortcuts) {
      if (!matchesShortcut(event, s.keys)) continue;
      if (typing && !event.ctrlKey && !event.metaKey && !event.altKey) continue;
      event.preventDefault();
      s.run();
      return;
    }
  };
  target.addEventListener('keydown', onKey);
  onScopeDispose(() => target.removeEventListener('keydown', onKey));
  return { shortcuts };
}
