/** Persisted page state: writes are debounced, and a page going away (reload, restart) writes what is pending at once. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick, ref } from 'vue';
import { persistOnChange } from '../../../renderer/src/lib/persist';

describe('persistOnChange', () => {
  let storage: Map<string, string>;
  let page: EventTarget;

  beforeEach(() => {
    vi.useFakeTimers();
    storage = new Map();
    page = new EventTarget();
    vi.stubGlobal('localStorage', { setItem: (key: string, value: string) => storage.set(key, value), getItem: (key: string) => storage.get(key) ?? null });
    vi.stubGlobal('addEventListener', page.addEventListener.bind(page));
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('writes the newest value once the changes pause', async () => {
    const draft = ref({ title: 'a' });
    persistOnChange('draft', draft, 300);
    draft.value.title = 'ab';
    await nextTick();
    vi.advanceTimersByTime(200);
    draft.value.title = 'abc';
    await nextTick();
    vi.advanceTimersByTime(200);
    expect(storage.has('draft')).toBe(false);
    vi.advanceTimersByTime(100);
    expect(JSON.parse(storage.get('draft')!)).toEqual({ title: 'abc' });
  });

  it('writes a pending change at once when the page goes away, and only once', async () => {
    const draft = ref({ title: 'a' });
    persistOnChange('draft', draft, 300);
    draft.value.title = 'workshop';
    await nextTick();
    page.dispatchEvent(new Event('pagehide'));
    expect(JSON.parse(storage.get('draft')!)).toEqual({ title: 'workshop' });
    storage.clear();
    vi.advanceTimersByTime(1000);
    page.dispatchEvent(new Event('pagehide'));
    expect(storage.has('draft')).toBe(false);
  });
});
