// What the fused optimizer updates share (engine/kernels/optimizers.ts on cpu and wasm,
// compute/webgpu-adam.ts on webgpu): routing an optimizer class's applyGradients through a
// replacement that can hand back to the stock code, and reading its gradients the stock way.
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
