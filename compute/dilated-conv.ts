// Training dilated (atrous) convolutions. TF.js runs them forward, but has no gradient for them:
// tfjs-core's Conv2D, fused conv2d and depthwise gradients stop with "dilation rates greater than 1
// are not yet supported in gradients", so a Conv2D or Conv1D layer with a dilation above 1 (the
// builder offers it; imported Keras and ONNX models carry it) could be built and run but not
// trained, nor explained with Grad-CAM. While a gradient tape records, such layers compute their
// convolution the way TensorFlow computes atrous convolutions (tf.nn.with_space_to_batch): the
// dh×dw phases of the padded input move into the batch (spaceToBatchND), each is convolved
// undilated and 'valid', and the results move back (batchToSpaceND). The same sums, through ops
// that every backend has and whose gradients TF.js defines (on cpu and wasm the undilated
// convolution takes Glasswing's fast kernels). Without a tape (predict, evaluation, feature maps)
// the layers keep TF.js's own dilated kernels. tfjs-layers' DepthwiseConv2D ignores its dilation
// altogether (it calls the op with none and sizes its output without it), so an imported Keras or
// ONNX model with a dilated depthwise layer computed something else than the original: here it
// convolves dilated and sizes its output as Keras does.
import * as tf from '@tensorflow/tfjs-core';
import { layerCallPatch, layerMethodPatch, singleInput } from './layer-patch';

type Read = { read(): tf.Tensor };
interface ConvLayerFields {
  rank: number;
  kernelSize: number[];
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number[];
  activation: { apply(x: tf.Tensor): tf.Tensor } | null;
  bias: Read | null;
  kernel?: Read;
  depthwiseKernel?: Read;
  pointwiseKernel?: Read;
}

/**
 * y = the stride-1 convolution of x [N, H, W, C] by a kh×kw kernel dilated by [dh, dw], 'same' or
 * 'valid' (TF.js's padding: for 'same', the odd pixel of an even total at the bottom and right).
 * `undilated` convolves the phase images [N·dh·dw, H', W', C] 'valid' with the kernel itself.
 */
export function atrousConv2d(x: tf.Tensor4D, [kh, kw]: number[], [dh, dw]: number[], padding: 'same' | 'valid',
  undilated: (phases: tf.Tensor4D) => tf.Tensor4D): tf.Tensor4D {
  const [, H, W] = x.shape;
  // [before, after] padding of one axis, and what rounds the padded length up to whole phases.
  const axis = (size: number, k: number, d: number): { pad: [number, number]; extra: number } => {
    const total = padding === 'same' ? (k - 1) * d : 0;
    const before = Math.floor(total / 2);
    const extra = (d - ((size + total) % d)) % d;
    return { pad: [before, total - before + extra], extra };
  };
  const ah = axis(H, kh, dh), aw = axis(W, kw, dw);
  return tf.tidy(() => {
    const phases = tf.spaceToBatchND(x, [dh, dw], [ah.pad, aw.pad]);
    // Each phase's 'valid' output, interleaved back, is the dilated output plus the rounding rows and columns.
    return tf.batchToSpaceND(undilated(phases), [dh, dw], [[0, ah.extra], [0, aw.extra]]);
  });
}

/** Whether this call needs the space-to-batch form: recording gradients, dilated, stride 1, NHWC/NWC, 'same' or 'valid'. */
function needsAtrous(layer: ConvLayerFields, x: tf.Tensor): boolean {
  return tf.engine().state.gradientDepth > 0 && layer.dilationRate.some((d) => d > 1) && layer.strides.every((s) => s === 1) &&
    layer.dataFormat === 'channelsLast' && (layer.padding === 'same' || layer.padding === 'valid') && x.rank === layer.rank + 2;
}

/** Bias and activation after the convolution, as tfjs-layers applies them. */
function finish(layer: ConvLayerFields, y: tf.Tensor): tf.Tensor {
  const biased = layer.bias ? tf.add(y, layer.bias.read()) : y;
  return layer.activation ? layer.activation.apply(biased) : biased;
}

const convPatch = (className: 'Conv2D' | 'Conv1D') => layerCallPatch(className, (previous) => function (this: ConvLayerFields, inputs, kwargs) {
  const x = singleInput(inputs);
  if (!x || !needsAtrous(this, x)) return previous.call(this, inputs, kwargs);
  return tf.tidy(() => {
    const pad = this.padding as 'same' | 'valid';
    const kernel = this.kernel!.read();
    if (this.rank === 2) return finish(this, atrousConv2d(x as tf.Tensor4D, this.kernelSize, this.dilationRate, pad, (p) => tf.conv2d(p, kernel as tf.Tensor4D, 1, 'valid')));
    // Conv1D: a 1×k convolution over a one-row image, as TF.js's conv1d computes it.
    const y = atrousConv2d(tf.expandDims(x, 1) as tf.Tensor4D, [1, this.kernelSize[0]!], [1, this.dilationRate[0]!], pad,
      (p) => tf.conv2d(p, tf.expandDims(kernel, 0) as tf.Tensor4D, 1, 'valid'));
    return finish(this, tf.squeeze(y, [1]));
  });
});

const separablePatch = layerCallPatch('SeparableConv2D', (previous) => function (this: ConvLayerFields, inputs, kwargs) {
  const x = singleInput(inputs);
  if (!x || !needsAtrous(this, x)) return previous.call(this, inputs, kwargs);
  return tf.tidy(() => {
    const depthwise = this.depthwiseKernel!.read() as tf.Tensor4D;
    const y = atrousConv2d(x as tf.Tensor4D, this.kernelSize, this.dilationRate, this.padding as 'same' | 'valid', (p) => tf.depthwiseConv2d(p, depthwise, 1, 'valid'));
    return finish(this, tf.conv2d(y, this.pointwiseKernel!.read() as tf.Tensor4D, 1, 'valid'));
  });
});

const depthwisePatch = layerCallPatch('DepthwiseConv2D', (previous) => function (this: ConvLayerFields, inputs, kwargs) {
  const x = singleInput(inputs);
  if (!x || this.dilationRate.every((d) => d === 1) || this.dataFormat !== 'channelsLast' || x.rank !== 4) return previous.call(this, inputs, kwargs);
  return tf.tidy(() => {
    const kernel = this.depthwiseKernel!.read() as tf.Tensor4D, pad = this.padding as 'same' | 'valid';
    const y = needsAtrous(this, x)
      ? atrousConv2d(x as tf.Tensor4D, this.kernelSize, this.dilationRate, pad, (p) => tf.depthwiseConv2d(p, kernel, 1, 'valid'))
      : tf.depthwiseConv2d(x as tf.Tensor4D, kernel, this.strides as [number, number], pad, 'NHWC', this.dilationRate as [number, number]);
    return finish(this, y);
  });
});

type OutputShape = (this: ConvLayerFields & { depthMultiplier: number }, inputShape: (number | null)[] | (number | null)[][]) => (number | null)[];
const depthwiseShapePatch = layerMethodPatch<OutputShape>('DepthwiseConv2D', 'computeOutputShape', (previous) => function (inputShape) {
  const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
  if (this.dilationRate.every((d) => d === 1) || this.dataFormat !== 'channelsLast' || shape.length !== 4) return previous.call(this, inputShape);
  // Keras's conv_output_length: the kernel's extent dilated, then the stride.
  const length = (size: number | null, i: number): number | null => {
    if (size === null) return null;
    const extent = (this.kernelSize[i]! - 1) * this.dilationRate[i]! + 1;
    return Math.ceil((this.padding === 'same' ? size : size - extent + 1) / this.strides[i]!);
  };
  return [shape[0]!, length(shape[1]!, 0), length(shape[2]!, 1), shape[3] === null ? null : shape[3]! * this.depthMultiplier];
});

const patches = [convPatch('Conv2D'), convPatch('Conv1D'), separablePatch, depthwisePatch, depthwiseShapePatch];

/**
 * Makes dilated Conv2D, Conv1D, SeparableConv2D and DepthwiseConv2D layers trainable on every
 * backend, and DepthwiseConv2D dilated at all. Idempotent.
 * Call it before Glasswing's fast layer paths are installed (registerFastKernels does), so that
 * those wrap this one and hand dilated layers to it.
 */
export function installDilatedConvTraining(): void {
  for (const set of patches) set(true);
}
