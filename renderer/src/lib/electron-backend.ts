// The Backend over Electron's preload bridge (window.glasswing), as exposed by preload/index.ts.
import type { Backend, Reply } from '../../../common/ipc/contract';
import { ContractError } from '../../../common/ipc/errors';

type Bridge = Record<string, (payload: unknown) => Promise<Reply>> & {
  on(event: string, listener: (payload: unknown) => void): () => void;
};

export function electronBridge(): Bridge | null {
  return ((globalThis as unknown as { glasswing?: Bridge }).glasswing ?? null) as Bridge | null;
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
  };
}
