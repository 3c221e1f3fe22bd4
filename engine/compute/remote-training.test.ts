// The engine's side of GPU training, end to end in one process: a loopback "compute worker" runs
// compute/'s RemoteJob on this process's backend and talks to the engine in compute/wire bytes, as
// the page's worker does through the web host. Checks placement, the data stream, weights per
// epoch, persistence and inspection of the trained run, control, and every way a worker can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Engine, type RunRecord } from '../engine';
import { Router } from '../../common/ipc/router';
import type { Events, RequestChannel, RequestPayload, ResponseOf, TrainingEvent, TrainingSettings } from '../../common/ipc/contract';
import type { ComputeReport, FromWorker, ToWorker } from '../../compute/protocol';
import { RemoteJob } from '../../compute/remote-job';
import { timeSteps } from '../../compute/step-timer';
import { decode, encode } from '../../compute/wire';
import { ByteLink } from './compute-link';
import { loadModel, saveModel } from '../model-io';
import { computeCam, featureMaps } from '../inspect';
import { estimateGpuMemory, gpuFitProblem } from './gpu-memory';
import { buildModel } from '../../compute/model-builder';
import { getTemplate } from '../../common/model/templates';

const REPORT: ComputeReport = {
  adapter: { vendor: 'loopback', architecture: 'test', device: '', description: 'in-process', software: false, limits: { maxBufferSize: 2 ** 30 } },
  backends: [
    { name: 'webgpu', available: true, device: 'Loopback GPU · WebGPU', software: false, notes: [], maxBufferBytes: 2 ** 30 },
    { name: 'webgl', available: false, reason: 'not in this test', notes: [], maxBufferBytes: 0 },
  ],
  agent: 'node',
};

/** A compute worker in this process, reached through bytes like the web host's socket. */
class LoopbackWorker {
  readonly link: ByteLink;
  job: RemoteJob | null = null;
  /** Called with each message before it is sent; return null to drop it, or a changed message. */
  tamper: (m: FromWorker) => FromWorker | null = (m) => m;
  received: ToWorker['type'][] = [];

  constructor(id = 'loop-1') {
    this.link = new ByteLink(id, (bytes) => setImmediate(() => this.receive(decode(bytes) as ToWorker)), () => undefined);
  }

  send(m: FromWorker): void {
    const out = this.tamper(m);
    if (out) this.link.receive(encode(out));
  }

  hello(): void {
    this.send({ type: 'hello', report: REPORT });
  }

  private receive(m: ToWorker): void {
    this.received.push(m.type);
    if (m.type === 'train') {
      this.job = new RemoteJob(m.job, (x) => this.send(x));
      void this.job.execute();
    } else if (m.type === 'control') this.job?.control(m.action);
    else if (m.type === 'time') {
      void timeSteps(m).then(
        (t) => this.send({ type: 'timed', id: m.id, ...t }),
        (e: Error) => this.send({ type: 'timed', id: m.id, error: e.message }),
      );
    }
  }
}

function setup() {
  const events: { event: keyof Events; payload: unknown }[] = [];
  const engine = new Engine((event, payload) => events.push({ event, payload }));
  const router = new Router(engine.handlers, { isTrustedSender: () => true });
  const call = async <C extends RequestChannel>(channel: C, payload: RequestPayload<C>): Promise<ResponseOf<C>> => {
    const reply = await router.handle(channel, payload, { origin: 'test' });
    if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
    return reply.value as ResponseOf<C>;
  };
  const training = () => events.filter((e) => e.event === 'training.event').map((e) => e.payload as TrainingEvent);
  return { engine, events, call, training };
}

const lenet: TrainingSettings = { epochs: 1, batchSize: 64, learningRate: 0.001, optimizer: 'adam', validationSplit: 0.1, testSplit: 0.1, seed: 1, backend: 'webgpu' };

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

test('without a connected page, webgpu is unavailable with the reason, and auto trains on the CPU', async () => {
  const { engine, call, training } = setup();
  const info = await call('app.info', {});
  const webgpu = info.backends.find((b) => b.name === 'webgpu')!;
  assert.equal(webgpu.available, false);
  assert.match(webgpu.reason!, /no page is connected/);
  assert.equal(info.gpu, null);
  const failed = await engine.startTraining({ model: { template: 'iris-mlp' }, dataset: 'iris', settings: { ...lenet, epochs: 2, backend: 'webgpu' } });
  await failed.done;
  assert.equal(failed.state, 'failed');
  assert.match(failed.info.message ?? '', /The webgpu backend is not available: no page is connected.*Choose Auto or a CPU backend/);
  const auto = await engine.startTraining({ model: { template: 'iris-mlp' }, dataset: 'iris', settings: { ...lenet, epochs: 2, backend: 'auto' } });
  await auto.done;
  assert.equal(auto.state, 'finished');
  const started = training().filter((e) => e.type === 'started').at(-1)!;
  assert.ok(started.type === 'started' && ['cpu', 'wasm'].includes(started.backend), JSON.stringify(started));
});

test('a LeNet-5 run on the worker: the same losses as the engine, weights after every epoch, and a saved model whose maps and Grad-CAM equal a CPU computation', async () => {
  const { engine, call, training, events } = setup();
  const worker = new LoopbackWorker();
  engine.attachCompute(worker.link);
  worker.hello();
  await new Promise((r) => setImmediate(r));
  assert.ok(events.some((e) => e.event === 'device.changed'));
  const info = await call('app.info', {});
  assert.equal(info.backends.find((b) => b.name === 'webgpu')!.available, true);
  assert.equal(info.gpu!.adapter!.vendor, 'loopback');

  // The same run twice: on the worker, and in the engine on the CPU. The loopback worker computes on
  // this process's backend, the one 'auto' picks (cpu or wasm): the engine's run takes the same, so
  // that the two differ only by the protocol. (Across backends their kernels round differently, and
  // an epoch of Adam steps can carry that to 1e-3 of the loss.)
  const settings = { ...lenet, epochs: 2 };
  const remote: RunRecord = await engine.startTraining({ model: { template: 'lenet5' }, dataset: 'mnist', settings });
  await remote.done;
  assert.equal(remote.state, 'finished', remote.info.message ?? '');
  const local: RunRecord = await engine.startTraining({ model: { template: 'lenet5' }, dataset: 'mnist', settings: { ...settings, backend: 'auto' } });
  await local.done;
  const remoteEvents = training().filter((e) => e.runId === remote.runId);
  const started = remoteEvents.find((e) => e.type === 'started')!;
  assert.ok(started.type === 'started' && started.backend === 'webgpu' && started.device === 'Loopback GPU · WebGPU');
  assert.deepEqual(
    remoteEvents.filter((e) => e.type === 'epoch').map((e) => e.type === 'epoch' && e.epoch),
    [1, 2],
  );
  assert.ok(remoteEvents.some((e) => e.type === 'batch'));
  assert.equal(remote.history.length, 2);
  for (let i = 0; i < 2; i++) {
    const [r, l] = [remote.history[i]!, local.history[i]!];
    assert.ok(Math.abs(r.loss - l.loss) <= 1e-5 * l.loss, `epoch ${i + 1} loss ${r.loss} vs ${l.loss}`);
    assert.ok(Math.abs(r.valLoss! - l.valLoss!) <= 1e-5 * l.valLoss!);
  }
  assert.ok(remote.test && local.test);
  assert.equal(remote.test.accuracy, local.test.accuracy);
  assert.ok(worker.received.includes('train'));

  // The run's weights as saved, loaded fresh, give the inspector's maps and Grad-CAM.
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'gw-remote-')), 'model');
  await saveModel(remote.model, dir, remote.metadata);
  const saved = await loadModel(dir);
  const sample = { split: 'test' as const, index: 4 };
  const input = remote.prepared.test.x.subarray(4 * 784, 5 * 784);
  const fm = await call('inspect.featureMaps', { runId: remote.runId, sample, layer: 'conv2d_1' });
  const refMaps = featureMaps(saved.model, input, 'conv2d_1');
  assert.ok(maxDiff(fm.data, refMaps.data) <= 1e-4, `feature maps differ by ${maxDiff(fm.data, refMaps.data)}`);
  const cam = await call('inspect.cam', { runId: remote.runId, sample, method: 'gradcam' });
  const refCam = computeCam({ model: saved.model, input, method: 'gradcam' });
  assert.ok(maxDiff(cam.cam, refCam.cam) <= 1e-4, `Grad-CAM differs by ${maxDiff(cam.cam, refCam.cam)}`);
  // …and they are the CPU run's too: the same loop, the same weights.
  const localMaps = featureMaps(local.model, input, 'conv2d_1');
  assert.ok(maxDiff(refMaps.data, localMaps.data) <= 1e-4);
  saved.model.dispose();
});

test('pause, resume and stop reach the worker; stop keeps the trained epochs', async () => {
  const { engine, call, training } = setup();
  const worker = new LoopbackWorker();
  engine.attachCompute(worker.link);
  worker.hello();
  const run = await engine.startTraining({ model: { template: 'iris-mlp' }, dataset: 'iris', settings: { ...lenet, batchSize: 8, epochs: 400 } });
  const seen = async (type: TrainingEvent['type'], count = 1) => {
    for (let i = 0; i < 2000 && training().filter((e) => e.runId === run.runId && e.type === type).length < count; i++) await new Promise((r) => setTimeout(r, 5));
  };
  await seen('epoch');
  await call('training.pause', { runId: run.runId });
  await seen('paused');
  const epochsAtPause = training().filter((e) => e.type === 'epoch').length;
  await new Promise((r) => setTimeout(r, 150));
  assert.ok(training().filter((e) => e.type === 'epoch').length <= epochsAtPause + 1, 'paused runs do not go on');
  await call('training.resume', { runId: run.runId });
  await seen('resumed');
  await seen('epoch', epochsAtPause + 2);
  await call('training.stop', { runId: run.runId });
  await run.done;
  assert.equal(run.state, 'finished');
  const finished = training().find((e) => e.type === 'finished')!;
  assert.ok(finished.type === 'finished' && finished.stopped);
  assert.ok(run.history.length >= 2 && run.history.length < 400);
  assert.ok(run.test);
});

test('a worker that vanishes fails its run with a clear message; earlier runs stay and the next run works', async () => {
  const { engine } = setup();
  const first = new LoopbackWorker('loop-a');
  engine.attachCompute(first.link);
  first.hello();
  const earlier = await engine.startTraining({ model: { template: 'iris-mlp' }, dataset: 'iris', settings: { ...lenet, epochs: 2 } });
  await earlier.done;
  assert.equal(earlier.state, 'finished');
  // The worker dies in the middle of the second epoch.
  let epochs = 0;
  first.tamper = (m) => {
    if (m.type === 'epoch' && ++epochs === 1) setImmediate(() => first.link.ended());
    return m;
  };
  const run = await engine.startTraining({ model: { template: 'iris-mlp' }, dataset: 'iris', settings: { ...lenet, epochs: 50 } });
  await run.done;
  first.job?.control('stop');
  assert.equal(run.state, 'failed');
  assert.match(run.info.message ?? '', /Training on webgpu ended after epoch 1 of 50: the GPU worker stopped .*The weights of epoch 1, the last good one, were kept\. Earlier runs are intact/);
  assert.equal(earlier.state, 'finished');
  // With no worker left, webgpu is refused; a new worker takes the next run.
  const second = new LoopbackWorker('loop-b');
  engine.attachCompute(second.link);
  second.hello();
  const next = await engine.startTraining({ model: { template: 'iris-mlp' }, dataset: 'iris', settings: { ...lenet, epochs: 2 } });
  await next.done;
  assert.equal(next.state, 'finished', next.info.message ?? '');
});

test('a page that closes mid-run ends it as stopped with the last epoch kept and evaluated', async () => {
  const { engine, training } = setup();
  const worker = new LoopbackWorker();
  engine.attachCompute(worker.link);
  worker.hello();
  let epochs = 0;
  worker.tamper = (m) => {
    if (m.type === 'epoch' && ++epochs === 2) {
      setImmediate(() => {
        worker.link.receive(encode({ type: 'closing' }));
        worker.link.ended();
        worker.job?.control('stop');
      });
    }
    return m;
  };
  const run = await engine.startTraining({ model: { template: 'iris-mlp' }, dataset: 'iris', settings: { ...lenet, epochs: 100 } });
  await run.done;
  assert.equal(run.state, 'finished');
  const finished = training().find((e) => e.type === 'finished')!;
  assert.ok(finished.type === 'finished');
  assert.equal(finished.stopped, true);
  assert.match(finished.stopReason ?? '', /the page training it on webgpu closed after epoch 2 of 100; the weights of epoch 2 were kept/);
  assert.equal(run.history.length, 2);
  assert.ok(run.test && run.test.accuracy >= 0, 'evaluated on the engine');
});

test('a worker that sends weights of another shape, or messages outside the protocol, cannot corrupt the run', async () => {
  const { engine } = setup();
  const worker = new LoopbackWorker();
  engine.attachCompute(worker.link);
  worker.hello();
  worker.link.receive(new Uint8Array([1, 2, 3])); // not even the wire format: dropped
  worker.link.receive(encode({ type: 'event', event: { type: 'batch', runId: 'x' } })); // not the protocol: dropped
  worker.tamper = (m) => (m.type === 'epoch' ? { ...m, weights: m.weights.slice(1) } : m);
  const run = await engine.startTraining({ model: { template: 'iris-mlp' }, dataset: 'iris', settings: { ...lenet, epochs: 5 } });
  await run.done;
  assert.equal(run.state, 'failed');
  assert.match(run.info.message ?? '', /weights that do not fit the model/);
});

test('a model whose activations exceed the GPU buffer limit is refused before training, with a batch size that fits', async () => {
  const model = await buildModel(getTemplate('lenet5'), 1);
  const e = estimateGpuMemory(model, 64);
  assert.equal(e.largestLayer, 'conv2d_1');
  assert.equal(e.largestTensorBytes, 64 * 28 * 28 * 6 * 4);
  const problem = gpuFitProblem(e, 64, 300_000, 'webgpu');
  assert.match(problem!, /At batch size 64, the output of conv2d_1 is 1 MB; webgpu on this GPU allocates at most 1 MB in one buffer\. To train on the GPU, use a batch size of 8 or less/);
  assert.equal(gpuFitProblem(e, 64, 2 ** 30, 'webgpu'), null);
  model.dispose();

  const { engine } = setup();
  const worker = new LoopbackWorker();
  engine.attachCompute(worker.link);
  worker.send({ type: 'hello', report: { ...REPORT, backends: [{ ...REPORT.backends[0]!, maxBufferBytes: 300_000 }, REPORT.backends[1]!] } });
  const run = await engine.startTraining({ model: { template: 'lenet5' }, dataset: 'mnist', settings: { ...lenet } });
  await run.done;
  assert.equal(run.state, 'failed');
  assert.match(run.info.message ?? '', /use a batch size of 8 or less; or train on a CPU backend/);
  assert.ok(!worker.received.includes('train'), 'nothing was sent to the worker');
});

test('a tuning study on webgpu sends every trial to the worker and finds a best trial', async () => {
  process.env['GLASSWING_PROJECTS_DIR'] = mkdtempSync(path.join(tmpdir(), 'gw-remote-tune-'));
  const { engine, call, events } = setup();
  const worker = new LoopbackWorker();
  engine.attachCompute(worker.link);
  worker.hello();
  const settings = { ...lenet, epochs: 3, batchSize: 16, validationSplit: 0.2, testSplit: 0.2 };
  await call('tuning.start', {
    model: { template: 'iris-mlp' },
    dataset: 'iris',
    settings,
    space: { lr: { type: 'float', low: 1e-3, high: 1e-1, log: true } },
    nTrials: 3,
    sampler: 'random',
    pruner: 'none',
    seed: 2,
    studyName: 'remote-tune',
  });
  for (let i = 0; i < 3000 && !events.some((e) => e.event === 'tuning.finished'); i++) await new Promise((r) => setTimeout(r, 10));
  const finished = events.find((e) => e.event === 'tuning.finished')!.payload as { failed: string | null; best: { number: number } | null };
  assert.equal(finished.failed, null);
  assert.ok(finished.best);
  assert.equal(worker.received.filter((t) => t === 'train').length, 3, 'three trials, each trained on the worker');
});

test('the device panel’s benchmark times the current model on any backend, the worker’s included', async () => {
  const { engine, call } = setup();
  const cpu = await call('backend.bench', { backend: 'cpu', seconds: 1 });
  assert.equal(cpu.model, 'lenet5');
  assert.ok(cpu.trainSamplesPerSec > 0 && cpu.inferSamplesPerSec > cpu.trainSamplesPerSec / 10, JSON.stringify(cpu));
  await assert.rejects(call('backend.bench', { backend: 'webgpu', seconds: 1 }), /webgpu backend is not available: no page is connected/);
  const worker = new LoopbackWorker();
  engine.attachCompute(worker.link);
  worker.hello();
  const topology = getTemplate('iris-mlp');
  const gpu = await call('backend.bench', { backend: 'webgpu', seconds: 1, model: { topology } });
  assert.equal(gpu.device, 'Loopback GPU · WebGPU');
  assert.ok(gpu.trainSamplesPerSec > 0 && gpu.firstStepMs! >= 0);
  assert.ok(worker.received.includes('time'));
});
