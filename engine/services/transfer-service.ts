// The transfer domain: list backbones, train a new head on one (through the scheduler, so it never
// overlaps training), stop. A backbone from disk passes the Places policy.
import type { Handlers } from '../../common/ipc/router';
import type { BackboneInfo, BackboneRef, TrainingSettings } from '../../common/ipc/contract';
import { BadInputError, NotFoundError } from '../../common/bad-input';
import { tf, useBackend } from '../backends';
import { startRemoteRun } from '../compute/remote-run';
import { backboneFromModel, builtinBackboneIds, loadBackboneFromDisk, loadBuiltinBackbone, type Backbone } from '../transfer/backbones';
import { transferLearn } from '../transfer/transfer';
import type { EngineContext } from '../core/context';
import { readingOptions } from '../core/data-cache';

export type TransferHandlers = Pick<Handlers, 'transfer.backbones' | 'transfer.start' | 'transfer.stop'>;

export async function loadBackbone(ctx: EngineContext, ref: BackboneRef): Promise<Backbone> {
  // Before any training, no backend is initialised yet: loading weights needs one.
  await tf.ready();
  if ('builtin' in ref) return loadBuiltinBackbone(ref.builtin);
  if ('path' in ref) return loadBackboneFromDisk(await ctx.places.readable(ref.path, 'model'));
  const run = await ctx.runs.ended(ref.runId);
  const backbone = await backboneFromModel(run.model, run.metadata, ref.runId);
  backbone.info.name = `${run.info.name} · ${run.info.model.name} on ${run.info.dataset.name}`;
  return backbone;
}

export function transferHandlers(ctx: EngineContext): TransferHandlers {
  const running = new Map<string, AbortController>();
  let next = 1;
  return {
    'transfer.backbones': async ({ path }) => {
      const out: BackboneInfo[] = [];
      const dispose = (b: Backbone) => {
        out.push(b.info);
        b.model.dispose();
      };
      for (const id of builtinBackboneIds()) dispose(await loadBackbone(ctx, { builtin: id }));
      // Finished image models of this session can be backbones too.
      for (const r of await ctx.runs.list()) {
        if (r.state !== 'finished' || r.inputShape.length !== 3) continue;
        try {
          dispose(await loadBackbone(ctx, { runId: r.runId }));
        } catch {
          // Not usable as a backbone; not listed.
        }
      }
      if (path) dispose(await loadBackbone(ctx, { path }));
      return { backbones: out };
    },

    'transfer.start': async (p) => {
      const settings = p.settings as TrainingSettings;
      const backbone = await loadBackbone(ctx, p.backbone);
      let dataset;
      try {
        dataset = await ctx.data.load(p.dataset, readingOptions(settings));
      } catch (e) {
        backbone.model.dispose();
        throw e;
      }
      const transferId = `transfer-${Date.now().toString(36)}-${next++}`;
      const controller = new AbortController();
      running.set(transferId, controller);
      const emit = ctx.bus.emit;
      void ctx.scheduler
        .exclusive(async () => {
          // Features are extracted here; the head (and unfrozen layers) train on a GPU backend when one is chosen.
          const gpu = settings.backend === 'webgpu' || settings.backend === 'webgl' ? settings.backend : null;
          if (gpu) {
            const usable = ctx.compute.usable(gpu);
            if (!usable.ok) throw new BadInputError(`The ${gpu} backend is not available: ${usable.reason}. Choose Auto or a CPU backend.`);
          }
          await useBackend(gpu ? 'auto' : settings.backend);
          emit('transfer.event', { type: 'progress', transferId, phase: 'loading', done: 0, total: 1 });
          return transferLearn({
            backbone,
            cutLayer: p.cutLayer,
            unfreeze: p.unfreeze,
            headUnits: p.headUnits,
            dataset,
            settings,
            compareFromScratch: p.compareFromScratch,
            signal: controller.signal,
            onProgress: (phase, done, total) => emit('transfer.event', { type: 'progress', transferId, phase, done, total }),
            onEpoch: (which, record) => emit('transfer.event', { type: 'epoch', transferId, which, ...record }),
            ...(gpu ? { startRun: (model, data, o) => startRemoteRun(ctx.compute, model, data, { ...o, runId: `${transferId}-${o.runId}`, backend: gpu }) } : {}),
          });
        })
        .then(
          (r) => {
            emit('transfer.event', { type: 'finished', transferId, stopped: r.stopped, transfer: r.transfer, baseline: r.baseline, runId: null });
            r.model.dispose();
          },
          (e: unknown) => emit('transfer.event', { type: 'failed', transferId, message: e instanceof Error ? e.message : String(e) }),
        )
        .finally(() => running.delete(transferId));
      return { transferId };
    },

    'transfer.stop': async ({ transferId }) => {
      const c = running.get(transferId);
      if (!c) throw new NotFoundError(`No transfer "${transferId}" is running.`);
      c.abort();
      return { ok: true };
    },
  };
}
