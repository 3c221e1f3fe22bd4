// Picks the Backend for wherever the renderer runs: the Electron bridge when present, otherwise
// the web host's WebSocket (with the token from the page URL).
import type { Backend } from '../../../common/ipc/contract';
import { createElectronBackend, electronBridge } from './electron-backend';
import { createWebSocketBackend } from './websocket-backend';

function connectBackend(): Backend {
  const bridge = electronBridge();
  if (bridge) return createElectronBackend(bridge);
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return createWebSocketBackend(`${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`);
}

export const backend: Backend = connectBackend();
