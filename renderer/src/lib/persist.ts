/**
 * State that survives a restart (the experiment draft, the open comparison, the theme): JSON in
 * localStorage, read back through a zod schema so a draft saved by an older version is either
 * understood or reported, never half-applied.
 */
import { watch, type WatchSource } from 'vue';
import type { z } from 'zod';
import { describeIssues } from '../../../shared/spec/parse';

export type Loaded<T> = { value: T; problem: string | null };

/** Reads `key`; when absent gives `fallback`, when unreadable gives `fallback` plus what was wrong. */
export function loadPersisted<S extends z.ZodType>(key: string, schema: S, fallback: () => z.output<S>): Loaded<z.output<S>> {
  let raw: string | null = null;
  try {
    raw = localStorage.getItem(key);
  } catch {
    return { value: fallback(), problem: null };
  }
  if (raw === null) return { value: fallback(), problem: null };
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    if (parsed.success) return { value: parsed.data, problem: null };
    return { value: fallback(), problem: describeIssues(parsed.error).slice(0, 3).join('; ') };
  } catch (e) {
    return { value: fallback(), problem: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Writes `source` to `key` whenever it changes, at most every `delayMs` (typing should not thrash
 * storage), and at once when the page goes away: a restart or a reload within `delayMs` of a
 * change would otherwise lose it.
 */
export function persistOnChange(key: string, source: WatchSource<unknown>, delayMs = 300): void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: { value: unknown } | null = null;
  const write = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!pending) return;
    const { value } = pending;
    pending = null;
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch {
      // Storage full or disabled: the app keeps working, only without restoring this state.
    }
  };
  watch(
    source,
    (value) => {
      pending = { value };
      if (timer) clearTimeout(timer);
      timer = setTimeout(write, delayMs);
    },
    { deep: true },
  );
  // Where there is no page (the stores' unit tests run in Node) there is nothing to go away.
  const page = globalThis as { addEventListener?: (type: 'pagehide', listener: () => void) => void };
  page.addEventListener?.('pagehide', write);
}
