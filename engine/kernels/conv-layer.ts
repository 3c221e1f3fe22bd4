// Training, tfjs-core's fused conv2d fuses only linear activations under a gradient tape: a Conv2D
// layer with relu becomes Conv2D + Add (bias) + Relu, three passes over the activations forward.
// While the fast kernels are registered, such layers (on cpu and wasm) call one op instead,
// GlasswingConv2DBiasRelu, which runs the backend's FusedConv2D (bias and relu in the convolution's
// epilogue). Its gradient masks dy once (dy where y > 0: the same mask as relu's gradient on the
// pre-activation) and hands that to the two convolution gradients and, summed, to the bias (on wasm
// the mask and the sum are one pass); only the gradients the tape asks for are computed (a first
// layer's input gradient is not). Other layers (linear ones a batch normalization follows, with or
// without a bias; tanh, sigmoid, elu, ...) take the same op without the mask, their activation as an
// op of its own after it: tfjs-core's fused conv2d computes every gradient of its custom gradient, a
// first layer's input gradient included (3x3x3->32 on 32x32, batch 32: 5-6 ms of a 170 ms step).
import * as tf from '@tensorflow/tfjs-core';
import { layerCallPatch, singleInput } from '../../compute/layer-patch';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { GradConfig, KernelConfig, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { heapOf } from './wasm-heap';
import { RELU_GRAD, RELU_GRAD_BIAS } from './gradients';

export const CONV_BIAS_RELU = 'GlasswingConv2DBiasRelu';

interface ConvLayer {
  rank: number;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number[];
  activation: { getClassName(): string; apply(x: Tensor): Tensor };
  kernel: { read(): Tensor };
  bias: { read(): Tensor } | null;
}


/** Whether this layer call can take the one-op path: training, 2-D NHWC, undilated, float32 on cpu or wasm. */
function takesFusedPath(layer: ConvLayer, x: Tensor): boolean {
  if (tf.engine().state.gradientDepth === 0) return false;
  if (layer.rank !== 2 || !layer.activation) return false;
  if (layer.dataFormat !== 'channelsLast' || (layer.padding !== 'same' && layer.padding !== 'valid')) return false;
  if (layer.dilationRate.some((d) => d !== 1) || x.rank !== 4 || x.dtype !== 'float32') return false;
  const b = tf.getBackend();
  return (b === 'cpu' || (b === 'wasm' && heapOf(tf.backend() as BackendWasm) != null)) && tf.getKernel(CONV_BIAS_RELU, b) != null;
}

const patch = layerCallPatch('Conv2D', (stock) => function (this: ConvLayer, inputs, kwargs) {
  const x = singleInput(inputs);
  if (!x || !takesFusedPath(this, x)) return stock.call(this, inputs, kwargs);
  // Relu in the op's epilogue; any other activation (tanh, sigmoid, elu, ...) as its own op after it.
  const name = this.activation.getClassName();
  const activation = name === 'relu' ? 'relu' : 'linear';
  const attrs = { strides: this.strides, pad: this.padding, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined, activation };
  const operands: tf.NamedTensorMap = this.bias ? { x, filter: this.kernel.read(), bias: this.bias.read() } : { x, filter: this.kernel.read() };
  const y = tf.engine().runKernel(CONV_BIAS_RELU, operands, attrs as unknown as NamedAttrMap) as Tensor;
  return name === 'relu' || name === 'linear' ? y : this.activation.apply(y);
});

/** Routes training Conv2D layers through the one op (on), or puts tfjs-layers' code back (off). */
export function patchConv2DLayer(on: boolean): void {
  if (on) registerConvBiasRelu();
  patch(on);
}

let registered = false;
let reluGradBias = process.env.GLASSWING_RELU_GRAD_BIAS !== '0';
/** For comparisons and tests: the mask and the bias gradient in one kernel (on), or as two ops (off). */
export function setReluGradBias(on: boolean): void {
  reluGradBias = on;
}

function registerConvBiasRelu(): void {
  if (registered) return;
  registered = true;
  for (const backendName of ['cpu', 'wasm']) {
    const kernel: KernelConfig = {
      kernelName: CONV_BIAS_RELU,
      backendName,
      // The backend's own FusedConv2D as registered when the op runs (Glasswing's, which falls back to stock).
      kernelFunc: (args) => tf.getKernel('FusedConv2D', backendName)!.kernelFunc(args) as TensorInfo,
    };
    tf.registerKernel(kernel);
  }
  const grad: GradConfig = {
    kernelName: CONV_BIAS_RELU,
    inputsToSave: ['x', 'filter'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter, y] = saved as Tensor[];
      // Computed once, in the backward pass's scope, and shared by the three gradients.
      const withBias = reluGradBias && tf.getBackend() === 'wasm' && tf.getKernel(RELU_GRAD_BIAS, 'wasm') != null;
      const linear = (attrs as { activation?: string }).activation === 'linear';
      const [dyMasked, biasGrad] = linear ? [dy as Tensor, null] : withBias
        ? tf.engine().runKernel(RELU_GRAD_BIAS, { dy: dy as Tensor, x: y! }) as Tensor[]
        : [tf.engine().runKernel(RELU_GRAD, { dy: dy as Tensor, x: y! }) as Tensor, null];
      const { strides, pad } = attrs as unknown as { strides: [number, number]; pad: 'same' | 'valid' };
      return {
        x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: dyMasked!, filter: filter! },
          { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: x!.shape } as unknown as NamedAttrMap) as Tensor,
        filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x: x!, dy: dyMasked! },
          { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: filter!.shape } as unknown as NamedAttrMap) as Tensor,
        bias: () => biasGrad ?? tf.sum(dyMasked!, [0, 1, 2]),
      };
    },
  };
  tf.registerGradient(grad);
}
