/**
 * `npm run dev:browser`: the lab services plus the browser-mode server, for development and for
 * trying the app without Electron. Prints the URL (with its one-time token) to open in a browser.
 */
import path from 'node:path';
import { createLab } from '../lab';
import { resolveDataDir } from '../paths';
import { startBrowserServer } from './browserServer';

const rootDir = path.resolve(import.meta.dirname, '../../..');
const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 5170;

const lab = await createLab({ dataDir: resolveDataDir(), transport: 'browser', appVersion: process.env.npm_package_version ?? 'dev' });
const server = await startBrowserServer({
  rendererDir: path.join(rootDir, 'out/renderer'),
  dispatch: lab.dispatch,
  subscribe: (listener) => lab.events.subscribe(listener),
  port,
});
console.log(`BatchNorm Lab (browser mode) is at:\n  ${server.url}\nData folder: ${resolveDataDir()}\nPress Ctrl+C to stop.`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void server.close().then(() => lab.close()).then(() => process.exit(0));
  });
}
