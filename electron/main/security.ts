/**
 * Guards every web contents the app creates: no navigation away from the app, no new windows,
 * no webviews, no permission grants. Links to the outside world are not opened at all: the lab
 * is offline by design.
 */
import type { App, Session } from 'electron';
import { APP_HOST, APP_SCHEME } from './protocol';

/**
 * True when `url` is a page of the app itself. Compared by scheme and host: Node's URL (the main
 * process's) reports the origin of a custom scheme as "null", so origins can't be compared.
 */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

export function enableSecurityGuards(app: App, session: Session): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  // Nothing leaves the machine: every request to anything but the app's own origin is cancelled.
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAppUrl(details.url) || details.url.startsWith('devtools://') || details.url.startsWith('data:') || details.url.startsWith('blob:');
    callback({ cancel: !allowed });
  });
}
