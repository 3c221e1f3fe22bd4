// The page's compute worker: trains on WebGPU or WebGL (never on the UI thread) for the engine,
// which keeps datasets, projects and runs. The page starts it with an endpoint — a MessagePort to
// the engine (desktop) or the web host's /compute socket — and it says hello with what it can do.
// It runs compute/'s training loop, the same code the engine runs on the CPU.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { registerChainedOps } from '../../../compute/chained-ops';
import { installDilatedConvTraining } from '../../../compute/dilated-conv';
import { registerWebGpuKernels } from '../../../compute/webgpu-kernels';
import { RemoteJob } from '../../../compute/remote-job';
import { timeSteps } from '../../../compute/step-timer';
import { decode, encode } from '../../../compute/wire';
import type { FromWorker, ToWorker } from '../../../compute/protocol';
import { gpuReport } from './gpu-report';
import type { PageToWorker, WorkerToPage } from './page-messages';

tf.env().set('PROD', true);
registerChainedOps();
installDilatedConvTraining();
registerWebGpuKernels(); // fused Adam and a parallel filter gradient (compute/webgpu-*.ts)

const page = self as unknown as { postMessage(m: WorkerToPage): void; onmessage: ((e: MessageEvent<PageToWorker>) => void) | null };

interface Channel {
  send(message: FromWorker): void;
  close(): void;
}

let channel: Channel | null = null;
let job: RemoteJob | null = null;
/** Timings and runs share the GPU: one at a time, in order. */
let queue: Promise<void> = Promise.resolve();

function lost(why: string): void {
  channel = null;
  // No one to report to: a run in progress stops at its next batch.
  job?.control('stop');
  page.postMessage({ type: 'link-closed', why });
}

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'control') {
    if (job?.job.runId === message.runId) job.control(message.action);
    return;
  }
  if (message.type === 'train') {
    queue = queue.then(async () => {
      const current = new RemoteJob(message.job, (m) => channel?.send(m));
      job = current;
      await tf.setBackend(message.job.backend);
      await current.execute();
      job = null;
    });
    return;
  }
  if (message.type === 'time') {
    queue = queue.then(async () => {
      try {
        await tf.setBackend(message.backend);
        const t = await timeSteps(message);
        channel?.send({ type: 'timed', id: message.id, trainMsPerStep: t.trainMsPerStep, inferMsPerStep: t.inferMsPerStep, firstStepMs: t.firstStepMs });
      } catch (e) {
        channel?.send({ type: 'timed', id: message.id, error: (e as Error).message });
      }
    });
  }
}

function receive(message: unknown): void {
  const m = message as ToWorker | null;
  if (!m || typeof m !== 'object' || typeof m.type !== 'string') return;
  handle(m).catch((e: unknown) => console.error('compute worker:', e));
}

async function connect(endpoint: PageToWorker & { type: 'connect' }, port: MessagePort | undefined): Promise<void> {
  const report = await gpuReport();
  if (endpoint.endpoint === 'port' && port) {
    port.onmessage = (e) => receive(e.data);
    // Electron's MessagePort says when its other end (the engine) is gone.
    port.addEventListener('close', () => lost('the engine closed the port'));
    port.start();
    channel = { send: (m) => port.postMessage(m), close: () => port.close() };
  } else if (endpoint.endpoint === 'socket' && endpoint.url) {
    const ws = new WebSocket(endpoint.url);
    ws.binaryType = 'arraybuffer';
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error('the compute socket did not open'));
    });
    ws.onmessage = (e) => {
      if (!(e.data instanceof ArrayBuffer)) return;
      try {
        receive(decode(new Uint8Array(e.data)));
      } catch (err) {
        console.error('compute worker:', err);
      }
    };
    ws.onclose = (e) => lost(`the compute socket closed (${e.code})`);
    channel = { send: (m) => ws.readyState === WebSocket.OPEN && ws.send(encode(m)), close: () => ws.close() };
  } else {
    page.postMessage({ type: 'link-closed', why: 'no endpoint to the engine' });
    return;
  }
  channel.send({ type: 'hello', report });
  page.postMessage({ type: 'ready', report });
}

page.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'connect') {
    connect(m, e.ports[0]).catch((err: unknown) => page.postMessage({ type: 'link-closed', why: (err as Error).message }));
  } else if (m.type === 'closing') {
    channel?.send({ type: 'closing' });
  }
};
