// Engine handlers for transfer learning: list backbones, train a head on one (through
// Engine.exclusive, so it never overlaps training), stop.
import { ContractError, type TrainingSettings } from '../../common/ipc/contract';
import type { Handlers } from '../../common/ipc/router';
import type { BackboneInfo, BackboneRef } from '../../common/ipc/domains/tuning';
import type { Engine } from '../engine';
import { tf, useBackend } from '../backends';
import { backboneFromModel, builtinBackboneIds, loadBackboneFromDisk, loadBuiltinBackbone, type Backbone } from './backbones';
import { transferLearn } from './transfer';

function asContractError(e: unknown): ContractError {
  if (e instanceof ContractError) return e;
  const err = e as { code?: string; message?: string };
  if (err?.code === 'bad-input') return new ContractError('bad-input', String(err.message));
  return new ContractError('internal', e instanceof Error ? e.message : String(e));
}

export async function loadBackbone(engine: Engine, ref: BackboneRef): Promise<Backbone> {
  try {
    // Before any training, no backend is initialised yet: loading weights needs one.
    await tf.ready();
    if ('builtin' in ref) return await loadBuiltinBackbone(ref.builtin);
    if ('path' in ref) return await loadBackboneFromDisk(ref.path);
    const run = engine.getRun(ref.runId);
    if (run.state === 'training') await run.done;
    return await backboneFromModel(run.model, run.metadata, ref.runId);
  } catch (e) {
    throw asContractError(e);
  }
}

export function transferHandlers(engine: Engine): Pick<Handlers, 'transfer.backbones' | 'transfer.start' | 'transfer.stop'> {
  const running = new Map<string, AbortController>();
  let next = 1;
  return {
    'transfer.backbones': async ({ path }) => {
      const out: BackboneInfo[] = [];
      const dispose = (b: Backbone) => {
        out.push(b.info);
        b.model.dispose();
      };
      for (const id of builtinBackboneIds()) dispose(await loadBackbone(engine, { builtin: id }));
      // Finished image models of this session can be backbones too.
      for (const r of engine.listRuns()) {
        if (r.state !== 'finished' || r.metadata.inputShape.length !== 3) continue;
        try {
          dispose(await loadBackbone(engine, { runId: r.runId }));
        } catch {
          // Not usable as a backbone; not listed.
        }
      }
      if (path) dispose(await loadBackbone(engine, { path }));
      return { backbones: out };
    },

    'transfer.start': async (p) => {
      const settings = p.settings as TrainingSettings;
      const backbone = await loadBackbone(engine, p.backbone);
      let dataset;
      try {
        dataset = await engine.loadData(p.dataset, settings.labelColumn, settings);
      } catch (e) {
        backbone.model.dispose();
        throw asContractError(e);
      }
      const transferId = `transfer-${Date.now().toString(36)}-${next++}`;
      const controller = new AbortController();
      running.set(transferId, controller);
      void engine
        .exclusive(async () => {
          await useBackend(settings.backend);
          engine.emit('transfer.event', { type: 'progress', transferId, phase: 'loading', done: 0, total: 1 });
          return transferLearn({
            backbone,
            cutLayer: p.cutLayer,
            unfreeze: p.unfreeze,
            headUnits: p.headUnits,
            dataset,
            settings,
            compareFromScratch: p.compareFromScratch,
            signal: controller.signal,
            onProgress: (phase, done, total) => engine.emit('transfer.event', { type: 'progress', transferId, phase, done, total }),
            onEpoch: (which, record) => engine.emit('transfer.event', { type: 'epoch', transferId, which, ...record }),
          });
        })
        .then(
          (r) => {
            engine.emit('transfer.event', { type: 'finished', transferId, stopped: r.stopped, transfer: r.transfer, baseline: r.baseline, runId: null });
            r.model.dispose();
          },
          (e: unknown) => engine.emit('transfer.event', { type: 'failed', transferId, message: e instanceof Error ? e.message : String(e) }),
        )
        .finally(() => running.delete(transferId));
      return { transferId };
    },

    'transfer.stop': async ({ transferId }) => {
      const c = running.get(transferId);
      if (!c) throw new ContractError('not-found', `No transfer "${transferId}" is running.`);
      c.abort();
      return { ok: true };
    },
  };
}
