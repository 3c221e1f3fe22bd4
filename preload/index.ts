// The only bridge between the sandboxed page and the app: one method per contract request and a
// subscription per event, nothing else (no ipcRenderer, no Node).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL_NAMES, IPC_EVENT, IPC_REQUEST, REQUEST_CHANNEL_NAMES } from '../common/ipc/channels';

type Listener = (payload: unknown) => void;

const requests = Object.fromEntries(REQUEST_CHANNEL_NAMES.map((channel) => [channel, (payload: unknown) => ipcRenderer.invoke(IPC_REQUEST, channel, payload)]));

const api = {
  ...requests,
  /** Subscribes to a contract event; returns the function that unsubscribes. */
  on(event: string, listener: Listener): () => void {
    if (!(EVENT_CHANNEL_NAMES as readonly string[]).includes(event)) throw new Error(`Unknown event "${event}".`);
    const wrapped = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC_EVENT, wrapped);
    return () => ipcRenderer.removeListener(IPC_EVENT, wrapped);
  },
};

contextBridge.exposeInMainWorld('glasswing', api);
