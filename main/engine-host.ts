// Runs the engine in an Electron utilityProcess: a separate OS process, so training never
// blocks the main thread or the window, and a crash in it leaves the app running.
import { utilityProcess } from 'electron';
import path from 'node:path';
import type { EngineTransport } from '../engine/host/engine-client';
import type { FromEngine } from '../engine/host/protocol';

export function engineScript(): string {
  return path.join(__dirname, '..', 'node', 'engine-process.cjs');
}

export function forkUtilityEngine(): EngineTransport {
  const child = utilityProcess.fork(engineScript(), [], {
    serviceName: 'Glasswing engine',
    stdio: 'inherit',
    env: { ...process.env, GLASSWING_HOST: 'electron' },
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (m, transfer) => child.postMessage(m, transfer as Electron.MessagePortMain[] | undefined),
    onMessage: (l) => child.on('message', (m) => l(m as FromEngine)),
    onExit: (l) => child.on('exit', (code) => l(code)),
    kill: () => void child.kill(),
  };
}
