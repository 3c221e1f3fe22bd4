// What the fused optimizer updates share (engine/kernels/optimizers.ts on cpu and wasm,
// compute/webgpu-adam.ts on webgpu): routing an optimizer class's applyGradients through a
// replacement that can hand back to the stock code, reading its gradients the stock way, and
// Adam's bookkeeping around a fused update.
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensorMap } from '@tensorflow/tfjs-core';

/** What Optimizer.applyGradients takes: a name → gradient map or a list of named gradients. */
export type Grads = NamedTensorMap | { name: string; tensor: tf.Tensor }[];

type Apply = (this: never, original: (g: Grads) => void, grads: Grads) => void;

/**
 * Replaces `proto.applyGradients` with `apply`, which gets the previous one to fall back on. Patches
 * stack: each hands back to the one before it when the active backend is not its own.
 */
export function patchApplyGradients(proto: object, apply: Apply): void {
  const p = proto as { applyGradients: (g: Grads) => void };
  const original = p.applyGradients;
  p.applyGradients = function (this: never, grads: Grads) {
    return apply.call(this, original, grads);
  };
}

/** Variable names and gradients in the order the stock optimizers index their state. */
export function optimizerEntries(grads: Grads): { name: string; grad: tf.Tensor | undefined }[] {
  return Array.isArray(grads)
    ? grads.map((g) => ({ name: g.name, grad: g.tensor }))
    : Object.keys(grads).map((name) => ({ name, grad: (grads as NamedTensorMap)[name] as tf.Tensor | undefined }));
}

/** Every gradient (and its variable) is float32: the fused kernels take nothing else. */
export function allFloat32(grads: Grads): boolean {
  return optimizerEntries(grads).every(({ name, grad }) => (grad == null || grad.dtype === 'float32') && tf.engine().registeredVariables[name]?.dtype === 'float32');
}

/** A zero-filled, non-trainable state variable shaped like `value` (as the stock optimizers make them). */
export const zerosVariable = (value: tf.Tensor): tf.Variable => tf.tidy(() => tf.zerosLike(value).variable(false));

/** The fields of TF.js's AdamOptimizer that a fused step reads and keeps as the stock one does. */
export interface AdamState {
  beta1: number; beta2: number; epsilon: number; learningRate: number; accBeta1: tf.Variable; accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  incrementIterations(): void;
}

/** New [weight, first moment, second moment] of one variable from its weight, moments and gradient. */
export type AdamUpdate = (value: tf.Variable, m: tf.Variable, v: tf.Variable, grad: tf.Tensor) => tf.Tensor[];

/**
 * One Adam step with the stock optimizer's state: moments made (zero) and indexed as it makes them,
 * `makeUpdate()` (called inside the step's tidy, before any variable) giving each variable's update,
 * then β1^t and β2^t advanced and the iteration counted.
 */
export function fusedAdamStep(state: AdamState, grads: Grads, makeUpdate: () => AdamUpdate): void {
  tf.tidy(() => {
    const update = makeUpdate();
    optimizerEntries(grads).forEach(({ name, grad }, i) => {
      const value = tf.engine().registeredVariables[name]!;
      state.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: zerosVariable(value) };
      state.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: zerosVariable(value) };
      if (grad == null) return;
      const m = state.accumulatedFirstMoment[i]!.variable, v = state.accumulatedSecondMoment[i]!.variable;
      const [nw, nm, nv] = update(value, m, v, grad);
      m.assign(nm!);
      v.assign(nv!);
      value.assign(nw!);
    });
    state.accBeta1.assign(tf.mul(state.accBeta1, state.beta1));
    state.accBeta2.assign(tf.mul(state.accBeta2, state.beta2));
  });
  state.incrementIterations();
}
