// Electron main process: one window, the IPC router, and the engine in a utilityProcess.
import { app, dialog, ipcMain, MessageChannelMain, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { IPC_COMPUTE_PORT, IPC_DIALOG, IPC_EVENT, IPC_REQUEST } from '../common/ipc/channels';
import { showDialog, type DialogApi } from './dialogs';
import { REQUEST_CHANNELS, type RequestChannel, type Events } from '../common/ipc/contract';
import { Router, unwrapReply, type Handlers } from '../common/ipc/router';
import { EngineClient } from '../engine/host/engine-client';
import { appUrl, createMainWindow } from './window';
import { forkUtilityEngine } from './engine-host';
import { isAppUrl } from './security';
import type { BrowserWindow } from 'electron';

let mainWindow: BrowserWindow | null = null;

const engine = new EngineClient(forkUtilityEngine, <E extends keyof Events>(event: E, payload: Events[E]) => {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(IPC_EVENT, event, payload);
});

const forward = {} as Record<RequestChannel, (payload: unknown) => Promise<unknown>>;
for (const channel of REQUEST_CHANNELS) forward[channel] = async (payload) => unwrapReply(await engine.invoke(channel, payload));
const handlers = forward as Handlers;

// Only our own window's top frame, showing our own page, may talk to the engine.
const router = new Router(handlers, { isTrustedSender: (s) => isAppUrl(s.origin, appUrl()) });

/** The sender's page when it is our window's top frame showing our page, else a marker no check accepts. */
function senderOrigin(event: IpcMainInvokeEvent | IpcMainEvent): string {
  const frame = event.senderFrame;
  const fromMainWindow = mainWindow !== null && event.sender === mainWindow.webContents && frame !== null && frame === event.sender.mainFrame;
  return fromMainWindow && frame ? frame.url : 'foreign-frame';
}

ipcMain.handle(IPC_REQUEST, (event: IpcMainInvokeEvent, channel: unknown, payload: unknown) => router.handle(channel, payload, { origin: senderOrigin(event) }));

// Native dialogs: only for our own page; the chosen path is what the person picked, nothing more.
ipcMain.handle(IPC_DIALOG, async (event: IpcMainInvokeEvent, request: unknown) => {
  if (!isAppUrl(senderOrigin(event), appUrl()) || !mainWindow) return null;
  const win = mainWindow;
  const api: DialogApi = {
    showOpenDialog: (o) => dialog.showOpenDialog(win, o as Electron.OpenDialogOptions),
    showSaveDialog: (o) => dialog.showSaveDialog(win, o as Electron.SaveDialogOptions),
  };
  return showDialog(api, request).catch(() => null);
});

// The page's compute worker (WebGPU/WebGL training) talks to the engine over its own MessagePort:
// batches and weights go straight between the two processes, never through main.
ipcMain.on(IPC_COMPUTE_PORT, (event: IpcMainEvent) => {
  if (!isAppUrl(senderOrigin(event), appUrl())) return;
  const { port1, port2 } = new MessageChannelMain();
  engine.sendComputePort(port1);
  event.sender.postMessage(IPC_COMPUTE_PORT, null, [port2]);
});

// WebGPU is still behind a flag in Chromium on Linux: the window shows only the app's own page, so
// Glasswing turns it on there (Vulkan), as `glasswing serve` users do with their browser's flags.
if (process.platform === 'linux') {
  app.commandLine.appendSwitch('enable-unsafe-webgpu');
  app.commandLine.appendSwitch('enable-features', 'Vulkan');
}

app.enableSandbox();
app.whenReady().then(() => {
  mainWindow = createMainWindow();
  mainWindow.on('closed', () => (mainWindow = null));
  app.on('activate', () => {
    if (!mainWindow) mainWindow = createMainWindow();
  });
});

app.on('window-all-closed', () => {
  engine.dispose();
  if (process.platform !== 'darwin') app.quit();
});
