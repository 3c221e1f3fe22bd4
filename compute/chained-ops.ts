// Chained tensor methods (x.flatten(), x.reshape(…), …). tfjs-layers calls some of them (the
// Orthogonal initialiser of an LSTM, for one), but @tensorflow/tfjs-core's CommonJS build leaves
// them out and its ESM-only registration file cannot be required from Glasswing's Node bundles.
// Each method is the functional op with `this` as its first argument, as TF.js defines them.
import * as tf from '@tensorflow/tfjs-core';

const SAME_AS_OP = [
  'abs', 'acos', 'acosh', 'add', 'all', 'any', 'argMax', 'argMin', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'avgPool',
  'batchToSpaceND', 'batchNorm', 'broadcastTo', 'cast', 'ceil', 'clipByValue', 'conv1d', 'conv2d', 'conv2dTranspose', 'cos',
  'cosh', 'cumprod', 'cumsum', 'depthToSpace', 'depthwiseConv2d', 'dilation2d', 'div', 'divNoNan', 'dot', 'elu', 'equal', 'erf',
  'euclideanNorm', 'exp', 'expandDims', 'expm1', 'fft', 'floor', 'floorDiv', 'gather', 'greater', 'greaterEqual', 'ifft',
  'irfft', 'isFinite', 'isInf', 'isNaN', 'leakyRelu', 'less', 'lessEqual', 'localResponseNormalization', 'log', 'log1p',
  'logSigmoid', 'logSoftmax', 'logSumExp', 'logicalAnd', 'logicalNot', 'logicalOr', 'logicalXor', 'matMul', 'max', 'maxPool',
  'maximum', 'mean', 'min', 'minimum', 'mirrorPad', 'mod', 'mul', 'neg', 'norm', 'notEqual', 'oneHot', 'onesLike', 'pad',
  'pool', 'pow', 'prelu', 'prod', 'reciprocal', 'relu', 'relu6', 'reshape', 'resizeBilinear', 'resizeNearestNeighbor',
  'reverse', 'rfft', 'round', 'rsqrt', 'selu', 'separableConv2d', 'sigmoid', 'sign', 'sin', 'sinh', 'slice', 'softmax',
  'softplus', 'spaceToBatchND', 'split', 'sqrt', 'square', 'squaredDifference', 'squeeze', 'step', 'stridedSlice',
  'sub', 'sum', 'tan', 'tanh', 'tile', 'topk', 'transpose', 'unique', 'unsortedSegmentSum', 'unstack', 'zerosLike',
] as const;

type AnyFn = (...args: unknown[]) => unknown;

export function registerChainedOps(): void {
  const proto = tf.Tensor.prototype as unknown as Record<string, AnyFn>;
  const ops = tf as unknown as Record<string, AnyFn>;
  const define = (name: string, fn: AnyFn) => {
    if (typeof proto[name] !== 'function') proto[name] = fn;
  };
  for (const name of SAME_AS_OP) {
    const op = ops[name];
    if (typeof op === 'function') define(name, function (this: tf.Tensor, ...args: unknown[]) { return op(this, ...args); });
  }
  define('flatten', function (this: tf.Tensor) { return tf.reshape(this, [this.size]); });
  define('as1D', function (this: tf.Tensor) { return tf.reshape(this, [this.size]); });
  define('as2D', function (this: tf.Tensor, ...shape: unknown[]) { return tf.reshape(this, shape as number[]); });
  define('as3D', function (this: tf.Tensor, ...shape: unknown[]) { return tf.reshape(this, shape as number[]); });
  define('as4D', function (this: tf.Tensor, ...shape: unknown[]) { return tf.reshape(this, shape as number[]); });
  define('asScalar', function (this: tf.Tensor) { return tf.reshape(this, []); });
  define('asType', function (this: tf.Tensor, dtype: unknown) { return tf.cast(this, dtype as tf.DataType); });
  define('toFloat', function (this: tf.Tensor) { return tf.cast(this, 'float32'); });
  define('toInt', function (this: tf.Tensor) { return tf.cast(this, 'int32'); });
  define('toBool', function (this: tf.Tensor) { return tf.cast(this, 'bool'); });
  define('reshapeAs', function (this: tf.Tensor, x: unknown) { return tf.reshape(this, (x as tf.Tensor).shape); });
  define('concat', function (this: tf.Tensor, x: unknown, axis?: unknown) {
    return tf.concat([this, ...(Array.isArray(x) ? x : [x])] as tf.Tensor[], axis as number | undefined);
  });
  define('stack', function (this: tf.Tensor, x: unknown, axis?: unknown) {
    return tf.stack([this, ...(Array.isArray(x) ? x : [x])] as tf.Tensor[], axis as number | undefined);
  });
  define('where', function (this: tf.Tensor, condition: unknown, x: unknown) { return tf.where(condition as tf.Tensor, this, x as tf.Tensor); });
}
