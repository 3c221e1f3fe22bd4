// Padding arithmetic for ONNX Conv/MaxPool/AveragePool → Keras. ONNX gives explicit pads per side
// (PyTorch: the same on both sides); Keras has 'valid', 'same' (TensorFlow's rule: the odd pixel
// goes at the END) and ZeroPadding2D. Matching them exactly is what keeps outputs equal.

/** TensorFlow's 'same' padding for one dimension: [begin, end]. */
export function tfSamePads(size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** ONNX output length (ceil_mode as PyTorch/ONNX Runtime: a last window starting in the end padding is dropped). */
export function onnxOutputLength(size: number, kernel: number, stride: number, dilation: number, begin: number, end: number, ceil: boolean): number {
  const effective = (kernel - 1) * dilation + 1;
  const span = size + begin + end - effective;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceil && (out - 1) * stride >= size + begin) out -= 1;
  return out;
}

/**
 * The padding the windows actually touch: end padding no window reaches is dropped, and
 * ceil_mode's extra last window becomes end padding. Returns [begin, end, outputLength].
 */
export function effectivePads(size: number, kernel: number, stride: number, dilation: number, begin: number, end: number, ceil = false): [number, number, number] {
  const out = onnxOutputLength(size, kernel, stride, dilation, begin, end, ceil);
  const effective = (kernel - 1) * dilation + 1;
  const reach = (out - 1) * stride + effective; // from the start of the begin padding
  return [begin, Math.max(0, reach - size - begin), out];
}

export type SpatialPadding =
  | { mode: 'valid'; out: [number, number] }
  | { mode: 'same'; out: [number, number] }
  /** ZeroPadding2D([[top, bottom], [left, right]]) then 'valid'. */
  | { mode: 'explicit'; pads: [[number, number], [number, number]]; out: [number, number] };

/**
 * How to reproduce ONNX padding in Keras for an H × W input. `pads` is ONNX's
 * [top, left, bottom, right]. 'same' is chosen only when it pads exactly as the file does.
 */
export function choosePadding(
  h: number,
  w: number,
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number],
  pads: [number, number, number, number],
  ceil = false,
): SpatialPadding {
  const [t, b, oh] = effectivePads(h, kernel[0], strides[0], dilations[0], pads[0], pads[2], ceil);
  const [l, r, ow] = effectivePads(w, kernel[1], strides[1], dilations[1], pads[1], pads[3], ceil);
  const out: [number, number] = [oh, ow];
  if (t === 0 && b === 0 && l === 0 && r === 0) return { mode: 'valid', out };
  const [st, sb] = tfSamePads(h, kernel[0], strides[0], dilations[0]);
  const [sl, sr] = tfSamePads(w, kernel[1], strides[1], dilations[1]);
  if (t === st && b === sb && l === sl && r === sr && oh === Math.ceil(h / strides[0]) && ow === Math.ceil(w / strides[1])) return { mode: 'same', out };
  return { mode: 'explicit', pads: [[t, b], [l, r]], out };
}

/** ONNX auto_pad (SAME_UPPER = TensorFlow's rule; SAME_LOWER puts the odd pixel first) to explicit pads. */
export function autoPads(autoPad: string, h: number, w: number, kernel: [number, number], strides: [number, number], dilations: [number, number]): [number, number, number, number] | null {
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') return null;
  const [t, b] = tfSamePads(h, kernel[0], strides[0], dilations[0]);
  const [l, r] = tfSamePads(w, kernel[1], strides[1], dilations[1]);
  return autoPad === 'SAME_UPPER' ? [t, l, b, r] : [b, r, t, l];
}
