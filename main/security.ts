// The desktop window's security settings, kept free of electron imports so tests can check them.
// The renderer is a sandboxed web page: no Node, an isolated preload, no remote content.

export const WINDOW_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
} as const;

/** Everything is bundled with the app: scripts, styles and images load only from the app itself. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // Svelte and Chart.js set inline style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
].join('; ');

/** True when `url` is the app's own page (its file:// index.html, or the dev server in development). */
export function isAppUrl(url: string, appUrl: string): boolean {
  try {
    const a = new URL(url);
    const b = new URL(appUrl);
    if (a.protocol === 'file:') return b.protocol === 'file:' && a.pathname === b.pathname;
    return a.origin === b.origin;
  } catch {
    return false;
  }
}
