// The device domain: what this Glasswing is, which backends it can train on (and why not, where
// not) — the engine's own (cpu, wasm, tensorflow) and the GPU backends of the page's compute
// worker (webgpu, webgl) — and a short benchmark of one backend. 'session.follow' is the host's to
// answer (a web page follows the runs it started); the engine itself sends every event to its host.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Handlers } from '../../common/ipc/router';
import type { RequestPayload } from '../../common/ipc/contract';
import { BadInputError } from '../../common/bad-input';
import { listBackends, useBackend } from '../backends';
import { timeSteps } from '../../compute/step-timer';
import { resolveModel } from './model-source';
import type { EngineContext } from '../core/context';
import { buildModel, disposeModel } from '../../compute/model-builder';

declare const GLASSWING_VERSION: string | undefined;
export const VERSION = typeof GLASSWING_VERSION === 'string' ? GLASSWING_VERSION : '0.1.0';

export type DeviceHandlers = Pick<Handlers, 'app.info' | 'backend.bench' | 'session.follow'>;

/** The benchmark's batch: the same for every backend and model. */
const BENCH_BATCH = 64;

export function deviceHandlers(ctx: EngineContext): DeviceHandlers {
  /** The model to time: LeNet-5, a template adapted to the dataset, or the Build view's topology. */
  async function benchModel(p: RequestPayload<'backend.bench'>): Promise<{ model: tfl.LayersModel; name: string }> {
    const source = p.model ?? { template: 'lenet5' };
    const topology = 'topology' in source ? source.topology : await resolveModel(source, await ctx.data.load(p.dataset ?? 'mnist', {}));
    const name = 'template' in source ? source.template : topology.config.name ?? 'model';
    return { model: await buildModel(topology, 1), name };
  }

  async function bench(p: RequestPayload<'backend.bench'>) {
    const { backend } = p;
    const gpu = backend === 'webgpu' || backend === 'webgl' ? backend : null;
    let device: string;
    if (gpu) {
      const usable = ctx.compute.usable(gpu);
      if (!usable.ok) throw new BadInputError(`The ${gpu} backend is not available: ${usable.reason}.`);
      device = usable.device;
    } else {
      const status = listBackends().find((b) => b.name === backend);
      if (!status?.available) throw new BadInputError(`The ${backend} backend is not available: ${status?.reason ?? 'unknown'}.`);
      device = status.device ?? backend;
      await useBackend(backend as Exclude<typeof backend, 'webgpu' | 'webgl'>);
    }
    const { model, name } = await benchModel(p);
    try {
      const output = model.outputs[0]!.shape;
      const classes = output[output.length - 1] ?? 1;
      const request = {
        topology: model.toJSON(null, false),
        inputShape: model.inputs[0]!.shape.slice(1).map((d) => d ?? 1),
        task: classes > 1 ? ('classification' as const) : ('regression' as const),
        classes,
        batchSize: BENCH_BATCH,
        budgetMs: p.seconds * 500,
      };
      // A software GPU can take minutes for a CIFAR-size model; a real one, seconds.
      const t = gpu ? await ctx.compute.time({ backend: gpu, ...request }, 900_000) : await timeSteps(request);
      return {
        backend,
        device,
        model: name,
        trainSamplesPerSec: (BENCH_BATCH * 1000) / t.trainMsPerStep,
        inferSamplesPerSec: (BENCH_BATCH * 1000) / t.inferMsPerStep,
        firstStepMs: t.firstStepMs,
      };
    } finally {
      disposeModel(model);
    }
  }

  return {
    'app.info': async () => {
      const report = ctx.compute.report;
      return {
        name: 'Glasswing',
        version: VERSION,
        host: ctx.host,
        enginePid: process.pid,
        backends: [...listBackends(), ...ctx.compute.statuses()],
        gpu: report ? { adapter: report.adapter, agent: report.agent } : null,
      };
    },
    'backend.bench': async (p) => ctx.scheduler.exclusive(() => bench(p)),
    'session.follow': async ({ keys }) => ({ following: keys.length }),
  };
}
