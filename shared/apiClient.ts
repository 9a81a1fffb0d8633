/**
 * Builds the typed LabApi from any transport that can carry one call and deliver events. The
 * preload script (Electron IPC) and the browser-mode bridge (WebSocket) both use this, so the
 * renderer sees one API and never knows which transport it is on.
 */
import { contractMethods, LabError, type CallResult, type LabApi, type MethodName, type PageEvent } from './api';

export interface LabTransport {
  call(path: MethodName, input: unknown): Promise<CallResult>;
  subscribe(listener: (event: PageEvent) => void): () => void;
}

/** The LabApi over `transport`: methods reject with a LabError carrying the lab's message. */
export function createLabClient(transport: LabTransport): LabApi {
  const api: Record<string, unknown> = {};
  for (const { group, name, path } of contractMethods()) {
    const groupObject = (api[group] ??= {}) as Record<string, unknown>;
    groupObject[name] = async (input?: unknown) => {
      const result = await transport.call(path, input);
      if (!result.ok) throw new LabError(result.error.message, result.error.issues ?? []);
      return result.value;
    };
  }
  api.onEvent = (listener: (event: PageEvent) => void) => transport.subscribe(listener);
  return api as LabApi;
}
