// The only bridge between the sandboxed page and the app: one method per contract request, a
// subscription per event, and the platform part a desktop has (the path of a dropped or picked
// file, native dialogs) — nothing else (no ipcRenderer, no Node).
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { COMPUTE_PORT_MESSAGE, EVENT_CHANNEL_NAMES, IPC_COMPUTE_PORT, IPC_DIALOG, IPC_EVENT, IPC_REQUEST, REQUEST_CHANNEL_NAMES } from '../common/ipc/channels';

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
  platform: {
    /** The real path of a File from a drop or an <input type=file> (Electron's webUtils); '' when it has none. */
    pathForFile(file: File): string {
      return webUtils.getPathForFile(file);
    },
    openDialog: (options: unknown) => ipcRenderer.invoke(IPC_DIALOG, { kind: 'open', options }),
    saveDialog: (options: unknown) => ipcRenderer.invoke(IPC_DIALOG, { kind: 'save', options }),
    /** Asks main for a MessagePort to the engine; it arrives as a window message (ports cannot cross the bridge). */
    requestComputePort: () => ipcRenderer.send(IPC_COMPUTE_PORT),
  },
};

// Electron's documented way to give the page a MessagePort: post it to the window from here.
ipcRenderer.on(IPC_COMPUTE_PORT, (e: IpcRendererEvent) => window.postMessage({ glasswing: COMPUTE_PORT_MESSAGE }, '*', e.ports));

contextBridge.exposeInMainWorld('glasswing', api);
