// What locks the desktop window to the app's own page, written against small interfaces (not
// electron's types) so tests can drive it with fakes and check what each handler does.
import { CONTENT_SECURITY_POLICY, WINDOW_WEB_PREFERENCES, isAppUrl } from './security';

type Prevented = { preventDefault(): void };

export interface GuardedContents {
  setWindowOpenHandler(handler: () => { action: 'deny' }): void;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: Prevented, url: string) => void): void;
  on(event: 'will-attach-webview', listener: (event: Prevented) => void): void;
}

export interface GuardedSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  webRequest: {
    onHeadersReceived(listener: (details: { responseHeaders?: Record<string, string[] | string> }, callback: (response: { responseHeaders: Record<string, string[] | string> }) => void) => void): void;
  };
}

/** The options every Glasswing window is created with. */
export function windowOptions(preload: string) {
  return {
    width: 1320,
    height: 860,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'Glasswing',
    backgroundColor: '#f5f6f8',
    webPreferences: { ...WINDOW_WEB_PREFERENCES, preload },
  };
}

/** No new windows, no navigation or redirect away from the app, no webviews, no permissions, and the CSP on every response. */
export function guardWindow(contents: GuardedContents, session: GuardedSession, appUrl: string): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, target) => {
    if (!isAppUrl(target, appUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event, target) => {
    if (!isAppUrl(target, appUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // No camera, microphone, notifications or anything else a page could ask for.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}
