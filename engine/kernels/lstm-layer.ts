// tfjs-layers' LSTM layer through two kernels (lstm.ts) while the fast kernels are registered: one op,
// GlasswingLstm, over the whole sequence, and one for its gradient. Taken for the common layer — zero
// initial states, no mask, no dropout, tanh activation, hard-sigmoid or sigmoid recurrent
// activation, forwards, not stateful, outputs without states — on cpu and wasm; anything else keeps
// tfjs-layers' code.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { layerCallPatch, singleInput } from '../../compute/layer-patch';
import { newTensors, tensorValues } from './backend-tensors';
import { lstmBackward, lstmForward, type LstmShape } from './lstm';

export const LSTM = 'GlasswingLstm';
const LSTM_GRAD = 'GlasswingLstmGrad';

interface Weight { read(): Tensor }
interface LstmLayer {
  returnSequences: boolean; returnState: boolean; goBackwards: boolean; stateful: boolean;
  cell: {
    units: number; dropout: number; recurrentDropout: number; useBias: boolean;
    kernel: Weight; recurrentKernel: Weight; bias: Weight | null;
    activation: { getClassName(): string }; recurrentActivation: { getClassName(): string };
  };
}

/** Whether this call takes the two-kernel path (see the header). */
function takesFastPath(layer: LstmLayer, x: Tensor, kwargs: Record<string, unknown>): boolean {
  const cell = layer.cell;
  if (x.rank !== 3 || x.dtype !== 'float32' || kwargs?.['mask'] != null || kwargs?.['initialState'] != null) return false;
  if (layer.returnState || layer.goBackwards || layer.stateful || cell.dropout > 0 || cell.recurrentDropout > 0) return false;
  if (cell.activation.getClassName() !== 'tanh' || !['hardSigmoid', 'sigmoid'].includes(cell.recurrentActivation.getClassName())) return false;
  const b = tf.getBackend();
  return (b === 'cpu' || b === 'wasm') && tf.getKernel(LSTM, b) != null;
}

/** Routes LSTM layers through the two kernels (on), or puts tfjs-layers' code back (off). */
const patch = layerCallPatch('LSTM', (stock) => function (this: LstmLayer, inputs, kwargs) {
  const x = singleInput(inputs);
  if (!x || !takesFastPath(this, x, kwargs)) return stock.call(this, inputs, kwargs);
  const cell = this.cell;
  const operands: tf.NamedTensorMap = { x, kernel: cell.kernel.read(), recurrentKernel: cell.recurrentKernel.read() };
  if (cell.useBias && cell.bias) operands.bias = cell.bias.read();
  const attrs = { units: cell.units, hard: cell.recurrentActivation.getClassName() === 'hardSigmoid', sequences: this.returnSequences };
  return tf.tidy(() => (tf.engine().runKernel(LSTM, operands, attrs as unknown as NamedAttrMap) as Tensor[])[0]!);
});

export function patchLstmLayer(on: boolean): void {
  if (on) registerLstm();
  patch(on);
}

function shapeOf(x: TensorInfo, attrs: NamedAttrMap): LstmShape {
  const [N, T, D] = x.shape as [number, number, number];
  return { N, T, D, U: attrs.units as number, hard: !!attrs.hard };
}

/** [y, gates, cells] (the last two saved for the gradient). */
const forwardKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, kernel, recurrentKernel, bias } = inputs as Record<string, TensorInfo>;
  const s = shapeOf(x!, attrs!);
  const sequences = !!attrs!.sequences;
  // The kernels' arena is reset by every kernel: the operands are copied out of the heap first.
  const copy = (t: TensorInfo): Float32Array => Float32Array.from(tensorValues(backend, t));
  const r = lstmForward(s, copy(x!), copy(kernel!), copy(recurrentKernel!), bias ? copy(bias) : null, sequences);
  return newTensors(backend, [[sequences ? [s.N, s.T, s.U] : [s.N, s.U], r.y], [[s.T, s.N, 4 * s.U], r.gates], [[s.T, s.N, s.U], r.cells]]);
};

/** [dx, dkernel, drecurrentKernel, dbias]. */
const gradKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, kernel, recurrentKernel, gates, cells } = inputs as Record<string, TensorInfo>;
  const s = shapeOf(x!, attrs!);
  const copy = (t: TensorInfo): Float32Array => Float32Array.from(tensorValues(backend, t));
  const r = lstmBackward(s, copy(dy!), copy(x!), copy(kernel!), copy(recurrentKernel!), copy(gates!), copy(cells!), !!attrs!.sequences);
  return newTensors(backend, [[x!.shape, r.dx], [kernel!.shape, r.dkernel], [recurrentKernel!.shape, r.drecurrent], [[4 * s.U], r.dbias]]);
};

let registered = false;

function registerLstm(): void {
  if (registered) return;
  registered = true;
  for (const backendName of ['cpu', 'wasm']) {
    tf.registerKernel({ kernelName: LSTM, backendName, kernelFunc: forwardKernel });
    tf.registerKernel({ kernelName: LSTM_GRAD, backendName, kernelFunc: gradKernel });
  }
  tf.registerGradient({
    kernelName: LSTM,
    inputsToSave: ['x', 'kernel', 'recurrentKernel'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [dy] = dys as Tensor[];
      const [x, kernel, recurrentKernel, gates, cells] = saved as Tensor[];
      const [dx, dk, dr, db] = tf.engine().runKernel(LSTM_GRAD, { dy: dy!, x: x!, kernel: kernel!, recurrentKernel: recurrentKernel!, gates: gates!, cells: cells! }, attrs) as Tensor[];
      return { x: () => dx!, kernel: () => dk!, recurrentKernel: () => dr!, bias: () => db! };
    },
  });
}
