/** A tiny typed event hub: the lab emits LabEvents once; each window or socket subscribes. */
import type { LabEvent } from '../../shared/api';

export class LabEvents {
  private readonly listeners = new Set<(event: LabEvent) => void>();

  /** Registers `listener`; returns the function that removes it. */
  subscribe(listener: (event: LabEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: LabEvent): void {
    for (const listener of this.listeners) {
      // One broken subscriber (a closed window) must not stop the others from hearing the event.
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
