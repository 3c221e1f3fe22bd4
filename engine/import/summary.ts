// model.summary() for any TF.js model, read from the built model itself. The builder's own
// summary (common/model/summary.ts) knows only the layer types of its palette; imported models
// also hold ZeroPadding2D, DepthwiseConv2D, Rescaling, … which TF.js computes just as well.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSummary } from '../../common/model/summary';
import type { Shape } from '../../common/model/keras-format';

export function summarizeLayersModel(model: tfl.LayersModel): ModelSummary {
  const size = (shape: (number | null)[]) => shape.reduce<number>((a, b) => a * (b ?? 0), 1);
  const layers = model.layers.map((l) => {
    const params = l.weights.reduce((s, w) => s + size(w.shape), 0);
    const trainable = l.trainable ? l.trainableWeights.reduce((s, w) => s + size(w.shape), 0) : 0;
    let outputShape: Shape | null = null;
    try {
      const s = l.outputShape;
      outputShape = Array.isArray(s) && !Array.isArray(s[0]) ? (s as Shape) : null;
    } catch {
      outputShape = null; // a shared layer has several
    }
    return { name: l.name, className: l.getClassName(), outputShape, params, trainableParams: trainable };
  });
  const total = layers.reduce((s, l) => s + l.params, 0);
  const trainable = layers.reduce((s, l) => s + l.trainableParams, 0);
  const first = (t: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => (Array.isArray(t) ? t[0]! : t).shape as Shape;
  return {
    layers,
    totalParams: total,
    trainableParams: trainable,
    nonTrainableParams: total - trainable,
    errors: [],
    inputShape: first(model.inputs),
    outputShape: first(model.outputs),
  };
}
