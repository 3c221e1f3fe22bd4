// The page's compute worker (WebGPU/WebGL training): started with the page, connected to the
// engine through the Backend's platform (a MessagePort on the desktop, the /compute socket in a
// browser), restarted when it or its link dies (with a growing pause), and told when the page
// closes so that a GPU run ends cleanly. The device panel shows its state and can restart it.
import type { ComputeReport } from '../../../compute/protocol';
import { backend } from '../lib/backend';
import type { PageToWorker, WorkerToPage } from '../compute-worker/page-messages';

export type ComputeStatus = 'starting' | 'ready' | 'unavailable' | 'restarting';

class ComputeState {
  status = $state<ComputeStatus>('starting');
  report = $state.raw<ComputeReport | null>(null);
  /** Why the worker is not ready, in words. */
  detail = $state('');
  private worker: Worker | null = null;
  private retryMs = 1000;
  private timer: ReturnType<typeof setTimeout> | null = null;

  start(): void {
    if (typeof Worker === 'undefined') {
      this.status = 'unavailable';
      this.detail = 'this browser cannot start workers';
      return;
    }
    addEventListener('pagehide', () => this.post({ type: 'closing' }));
    // A restarted engine has lost the old link: connect the worker to the new one.
    backend.on('engine.status', () => this.restart('the engine restarted'));
    void this.launch();
  }

  private post(m: PageToWorker, transfer: Transferable[] = []): void {
    this.worker?.postMessage(m, transfer);
  }

  private async launch(): Promise<void> {
    this.status = this.report ? 'restarting' : 'starting';
    const endpoint = await backend.platform.computeEndpoint().catch(() => null);
    if (!endpoint) {
      this.status = 'unavailable';
      this.detail = 'this host offers no connection for GPU compute';
      return;
    }
    const worker = new Worker(new URL('../compute-worker/worker.ts', import.meta.url), { type: 'module', name: 'glasswing-compute' });
    this.worker = worker;
    worker.onmessage = (e: MessageEvent<WorkerToPage>) => {
      if (worker !== this.worker) return;
      if (e.data.type === 'ready') {
        this.status = 'ready';
        this.report = e.data.report;
        this.detail = '';
        this.retryMs = 1000;
      } else this.scheduleRestart(e.data.why);
    };
    worker.onerror = (e) => {
      if (worker === this.worker) this.scheduleRestart(`the worker failed: ${e.message || 'unknown error'}`);
    };
    if (endpoint.kind === 'port') this.post({ type: 'connect', endpoint: 'port' }, [endpoint.port]);
    else this.post({ type: 'connect', endpoint: 'socket', url: endpoint.url });
  }

  private scheduleRestart(why: string): void {
    this.worker?.terminate();
    this.worker = null;
    this.status = 'restarting';
    this.detail = why;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.launch(), this.retryMs);
    this.retryMs = Math.min(30_000, this.retryMs * 2);
  }

  /** Stops the worker at once (a GPU run in progress fails) and starts a fresh one. */
  restart(why = 'restarted from the device panel'): void {
    this.retryMs = 1000;
    this.scheduleRestart(why);
    this.retryMs = 1000;
  }
}

export const compute = new ComputeState();
