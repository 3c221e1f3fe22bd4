// Starts a training run on the page's compute worker from what the engine holds: its model (whose
// topology and starting weights are sent), the prepared data, and the loop's options. Used by
// training runs and tuning trials alike.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { OptimizerName } from '../../common/ipc/contract';
import type { EpochEvent, GpuBackend, LoopEvent } from '../../compute/protocol';
import type { TrainOptions } from '../../compute/training-loop';
import { readWeights } from '../../compute/weights';
import type { Examples } from '../../compute/examples';
import { dataWire } from './data-wire';
import type { RemoteCompute } from './remote-compute';
import type { RemoteTrainingRun } from './remote-training-run';

export interface RemoteRunOptions extends Omit<TrainOptions, 'onEvent'> {
  backend: GpuBackend;
  optimizer: OptimizerName;
  learningRate: number;
  startPaused?: boolean;
  onEvent: (event: LoopEvent | EpochEvent) => void;
}

export async function startRemoteRun(compute: RemoteCompute, model: tfl.LayersModel, prepared: { train: Examples; validation: Examples; test: Examples }, o: RemoteRunOptions): Promise<RemoteTrainingRun> {
  return compute.train(
    {
      runId: o.runId,
      backend: o.backend,
      topology: model.toJSON(null, false),
      weights: await readWeights(model),
      optimizer: o.optimizer,
      learningRate: o.learningRate,
      task: o.task,
      classes: o.classes,
      inputShape: o.inputShape,
      epochs: o.epochs,
      batchSize: o.batchSize,
      seed: o.seed,
      callbacks: o.callbacks ?? {},
      ...(o.augment ? { augment: o.augment } : {}),
      data: dataWire(prepared, o.inputShape),
      ...(o.startPaused ? { startPaused: true } : {}),
    },
    model,
    o.onEvent,
  );
}
