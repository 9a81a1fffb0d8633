/**
 * The app:// protocol: the renderer's built files served from the package, with the CSP as a
 * response header. Pages never load from the network or from file:// URLs.
 */
import type { Protocol } from 'electron';
import { contentSecurityPolicy } from '../lab/csp';
import { readStaticFile } from '../lab/server/staticFiles';

export const APP_SCHEME = 'app';
export const APP_HOST = 'bnlab';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Scheme privileges; must be registered before the app is ready. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
};

/** Serves `rendererDir` at app://bnlab/ with the lab's CSP. */
export function registerAppProtocol(protocol: Protocol, rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('not found', { status: 404 });
    const file = await readStaticFile(rendererDir, url.pathname);
    return new Response(new Uint8Array(typeof file.body === 'string' ? Buffer.from(file.body) : file.body), {
      status: file.status,
      headers: {
        'Content-Type': file.mimeType,
        'Content-Security-Policy': contentSecurityPolicy(),
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });
}
