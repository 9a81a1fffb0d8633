/** Entry of the engine page: waits for its MessagePort, then serves the engine on it. */
import type { Backend } from '../../../shared/engine/frame';
import { serveEngine } from './engineHost';

const forced = new URLSearchParams(window.location.search).get('backend') as Backend | null;

window.addEventListener('message', (event: MessageEvent) => {
  if (event.origin !== window.location.origin || event.data !== 'bnlab:worker-port' || !event.ports[0]) return;
  void serveEngine(event.ports[0], forced ? [forced] : undefined);
});
