// Picks the Backend for wherever the renderer runs: the Electron bridge when present, otherwise
// the web host's WebSocket. In a browser the page moves the token from its address into
// sessionStorage (which no other origin — no other port — can read) and takes it out of the
// address bar, so it is neither shown, bookmarked nor sent on as a referrer; a reload finds it there.
import type { Backend } from '../../../common/ipc/contract';
import { createElectronBackend, electronBridge } from './electron-backend';
import { createWebSocketBackend } from './websocket-backend';

const TOKEN_KEY = 'glasswing-token';

/** The web host's token: from the address once (then removed from it), else from this tab's session. */
export function webToken(): string | null {
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    params.delete('token');
    const rest = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Whether the socket is up (the header shows a banner while it reconnects). */
export const connection = { connected: true, listeners: new Set<(up: boolean) => void>() };

function connectBackend(): Backend {
  const bridge = electronBridge();
  if (bridge) return createElectronBackend(bridge);
  const token = webToken() ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return createWebSocketBackend(`${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`, {
    computeUrl: `${scheme}://${location.host}/compute?token=${encodeURIComponent(token)}`,
    onConnection: (up) => {
      connection.connected = up;
      for (const l of connection.listeners) l(up);
    },
  });
}

export const backend = connectBackend();
