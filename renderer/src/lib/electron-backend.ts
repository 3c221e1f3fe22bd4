// The Backend over Electron's preload bridge (window.glasswing, as exposed by preload/index.ts):
// requests and events, and the desktop's platform part (real paths, native dialogs).
import type { Backend, ComputeEndpoint, FileDialogOptions, Platform, Reply } from '../../../common/ipc/contract';
import { COMPUTE_PORT_MESSAGE } from '../../../common/ipc/channels';
import { ContractError } from '../../../common/ipc/errors';

type Bridge = Record<string, (payload: unknown) => Promise<Reply>> & {
  on(event: string, listener: (payload: unknown) => void): () => void;
  platform?: {
    pathForFile(file: File): string;
    openDialog(options: FileDialogOptions): Promise<string | null>;
    saveDialog(options: FileDialogOptions): Promise<string | null>;
    requestComputePort?(): void;
  };
};

/** Asks main for a MessagePort to the engine; the preload posts it to this window. */
function requestComputePort(request: () => void): Promise<ComputeEndpoint | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(null), 10_000);
    function done(port: MessagePort | null) {
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      resolve(port ? { kind: 'port', port } : null);
    }
    function onMessage(e: MessageEvent) {
      if (e.source === window && (e.data as { glasswing?: unknown })?.glasswing === COMPUTE_PORT_MESSAGE && e.ports[0]) done(e.ports[0]);
    }
    window.addEventListener('message', onMessage);
    request();
  });
}

export function electronBridge(): Bridge | null {
  return ((globalThis as { glasswing?: Bridge }).glasswing ?? null) as Bridge | null;
}

export function desktopPlatform(bridge: Bridge): Platform {
  const p = bridge.platform;
  return {
    kind: 'desktop',
    pathForFile: (file) => (p ? p.pathForFile(file) || null : null),
    computeEndpoint: async () => (p?.requestComputePort ? requestComputePort(() => p.requestComputePort!()) : null),
    ...(p ? { openDialog: (o: FileDialogOptions) => p.openDialog(o), saveDialog: (o: FileDialogOptions) => p.saveDialog(o) } : {}),
  };
}

export function createElectronBackend(bridge: Bridge): Backend {
  return {
    async invoke(channel, payload) {
      const method = bridge[channel];
      if (!method) throw new ContractError('unknown-channel', `The desktop bridge has no ${channel}.`);
      const reply = await method(payload);
      if (reply.ok) return reply.value as never;
      throw new ContractError(reply.error.code, reply.error.message);
    },
    on(event, listener) {
      return bridge.on(event, listener as (payload: unknown) => void);
    },
    // One window: every event reaches it, so there is nothing to follow.
    follow: () => undefined,
    platform: desktopPlatform(bridge),
  };
}
