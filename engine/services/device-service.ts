// The device domain: what this Glasswing is, which backends it can train on (and why not, where
// not) — the engine's own (cpu, wasm, tensorflow) and the GPU backends of the page's compute
// worker (webgpu, webgl) — and a short benchmark of one backend. 'session.follow' is the host's to
// answer (a web page follows the runs it started); the engine itself sends every event to its host.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Handlers } from '../../common/ipc/router';
import { BadInputError } from '../../common/bad-input';
import { getTemplate } from '../../common/model/templates';
import { listBackends } from '../backends';
import { runBench } from '../bench/bench';
import type { EngineContext } from '../core/context';
import { buildModel, disposeModel } from '../../compute/model-builder';

declare const GLASSWING_VERSION: string | undefined;
export const VERSION = typeof GLASSWING_VERSION === 'string' ? GLASSWING_VERSION : '0.1.0';

export type DeviceHandlers = Pick<Handlers, 'app.info' | 'backend.bench' | 'session.follow'>;

/** The benchmark's model and batch: LeNet-5 at 64, the same for every backend. */
const BENCH_BATCH = 64;

export function deviceHandlers(ctx: EngineContext): DeviceHandlers {
  async function benchGpu(backend: 'webgpu' | 'webgl', seconds: number) {
    const usable = ctx.compute.usable(backend);
    if (!usable.ok) throw new BadInputError(`The ${backend} backend is not available: ${usable.reason}.`);
    const model: tfl.LayersModel = await buildModel(getTemplate('lenet5'), 1);
    try {
      const t = await ctx.compute.time({ backend, topology: model.toJSON(null, false), inputShape: [28, 28, 1], task: 'classification', classes: 10, batchSize: BENCH_BATCH, budgetMs: seconds * 500 });
      return {
        backend,
        device: usable.device,
        model: 'lenet5',
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
    'backend.bench': async ({ backend, seconds }) =>
      ctx.scheduler.exclusive(async () => {
        if (backend === 'webgpu' || backend === 'webgl') return benchGpu(backend, seconds);
        const status = listBackends().find((b) => b.name === backend);
        if (!status?.available) throw new BadInputError(`The ${backend} backend is not available: ${status?.reason ?? 'unknown'}.`);
        const report = await runBench({ models: ['lenet5'], backends: [backend], seconds: seconds / 2, pytorch: false, epochSamples: 0 });
        const row = report.results[0];
        if (!row) throw new Error(`The ${backend} backend produced no measurement.`);
        return { backend, device: status.device ?? backend, model: 'lenet5', trainSamplesPerSec: row.trainSamplesPerSec, inferSamplesPerSec: row.inferSamplesPerSec };
      }),
    'session.follow': async ({ keys }) => ({ following: keys.length }),
  };
}
