// A finished transfer (backbone + new head) becomes a run like any other: listed with the project's
// runs, inspected (feature maps, Grad-CAM on its test images), exported, used as a backbone in turn,
// and persisted. Its data is read at the backbone's input size and scaled as the backbone expects,
// with the same split as the transfer used, so every view sees exactly the images it was tested on.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { RunInfo, TrainingEvent, TrainingSettings } from '../../common/ipc/contract';
import type { ModelTopology } from '../../common/model/keras-format';
import { classificationMetrics } from '../../compute/metrics';
import { predictAll } from '../../compute/training-loop';
import type { ActiveBackend } from '../backends';
import type { EngineContext } from '../core/context';
import { readingOptions } from '../core/data-cache';
import { RunRecord } from '../core/run-record';
import type { Backbone } from '../transfer/backbones';
import type { TransferOutcome } from '../transfer/transfer';

export interface TransferRunRequest {
  dataset: string;
  settings: TrainingSettings;
  backbone: Backbone;
  cutLayer: string;
  unfreeze: number;
  outcome: TransferOutcome;
  backend: ActiveBackend;
}

/** Stores the transfer's model as a finished run and announces it; returns its id. */
export async function recordTransferRun(ctx: EngineContext, r: TransferRunRequest): Promise<string> {
  const [height, width, channels] = r.backbone.inputShape;
  const settings = r.settings;
  const seed = settings.seed ?? 1;
  const reading = readingOptions({ ...settings, imageHeight: height, imageWidth: width, color: channels === 3 ? 'rgb' : 'grayscale' });
  const loaded = await ctx.data.load(r.dataset, reading);
  const dataset = { ...loaded, fixedPreprocessing: r.backbone.preprocessing };
  const split = { validation: settings.validationSplit, test: settings.testSplit, seed };
  const lease = ctx.data.lease(r.dataset, reading, dataset, split, JSON.stringify(r.backbone.preprocessing));
  const model: tfl.LayersModel = r.outcome.model;
  try {
    const prepared = lease.prepared;
    const predicted = prepared.test.count > 0 ? await predictAll(model, prepared.test, r.outcome.metadata.inputShape) : null;
    const test = predicted ? classificationMetrics(Array.from(prepared.test.y), Array.from(predicted), dataset.classes) : null;
    const history = r.outcome.transfer.history;
    const runId = `run-${Date.now().toString(36)}-transfer`;
    const info: RunInfo = {
      runId,
      name: ctx.runs.nextName(),
      createdAt: new Date().toISOString(),
      state: 'queued',
      dataset: { ref: r.dataset, name: dataset.name, kind: dataset.kind, task: dataset.task },
      model: { name: `${r.backbone.info.name} + new head`, totalParams: model.countParams() },
      settings: { ...settings, seed },
      backend: null,
      epochs: history.length,
      classes: dataset.classes,
      inputShape: r.outcome.metadata.inputShape,
      testAccuracy: test?.accuracy ?? null,
      testCount: prepared.test.count,
      stopped: r.outcome.stopped,
      message: null,
      notes: [
        `Transfer learning: ${r.backbone.info.name} cut at ${r.cutLayer}, ${r.unfreeze ? `its last ${r.unfreeze} weighted layers trained too` : 'frozen'}, with a new ${dataset.classes.length}-class head.`,
      ],
    };
    const topology = model.toJSON(null, false) as unknown as ModelTopology;
    const record = new RunRecord(info, r.outcome.metadata, topology, { ...settings, seed }, reading, split, dataset, prepared);
    record.release = lease.release;
    ctx.runs.add(record);
    record.begin(model, r.backend);
    record.history = history;
    record.test = test;
    record.info = { ...record.info, stopped: r.outcome.stopped, testAccuracy: test?.accuracy ?? null };
    record.end('finished');
    ctx.runs.update(record);
    try {
      await ctx.runs.persist(record);
    } catch (e) {
      process.stderr.write(`glasswing: could not store ${runId}: ${(e as Error).message}\n`);
    }
    const finished: TrainingEvent = {
      type: 'finished',
      runId,
      stopped: r.outcome.stopped,
      history,
      test,
      backend: r.backend.name,
      info: record.info,
      topology,
    };
    ctx.bus.emit('training.event', finished);
    record.close();
    return runId;
  } catch (e) {
    lease.release();
    throw e;
  }
}
