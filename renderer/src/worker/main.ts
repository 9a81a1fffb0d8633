/** Entry of the engine page: waits for its MessagePort, then serves the engine on it. */
import type { Backend } from '../../../shared/engine/frame';
import { z } from 'zod';
import { serveEngine } from './engineHost';

// zod's start-up probe for `new Function` is an eval the CSP forbids: validate without it.
z.config({ jitless: true });

const forced = new URLSearchParams(window.location.search).get('backend') as Backend | null;

window.addEventListener('message', (event: MessageEvent) => {
  if (event.origin !== window.location.origin || event.data !== 'bnlab:worker-port' || !event.ports[0]) return;
  const port = event.ports[0];
  serveEngine(port, forced ? [forced] : undefined).catch((error: unknown) => {
    // No backend started: closing the port tells the host at once (instead of its start timeout).
    console.error('[engine]', error);
    port.close();
  });
});
