// A run's prepared data as a compute worker receives it: images stay the dataset's bytes (one
// shared array, 4× smaller than floats, normalised a batch at a time on the worker), tables go
// as their float inputs; each split is its labels and its rows.
import type { Examples } from '../../compute/examples';
import type { DataWire, SplitWire } from '../../compute/protocol';

function split(ex: Examples, floats: boolean): SplitWire {
  return { ...(floats ? { x: ex.x } : {}), y: ex.y, indices: Int32Array.from(ex.indices) };
}

export function dataWire(prepared: { train: Examples; validation: Examples; test: Examples }, inputShape: number[]): DataWire {
  const size = inputShape.reduce((a, b) => a * b, 1);
  const pixels = prepared.train.pixels;
  // Pixel splits must share one source for the worker to hold it once.
  const shared = !!pixels && [prepared.validation, prepared.test].every((s) => s.count === 0 || s.pixels?.source === pixels.source);
  if (pixels && shared) {
    return {
      size,
      pixels: { source: pixels.source, preprocessing: pixels.preprocessing },
      train: split(prepared.train, false),
      validation: split(prepared.validation, false),
      test: split(prepared.test, false),
    };
  }
  const asFloats = (ex: Examples): SplitWire => ({ x: ex.x, y: ex.y, indices: Int32Array.from({ length: ex.count }, (_, i) => i) });
  return { size, train: asFloats(prepared.train), validation: asFloats(prepared.validation), test: asFloats(prepared.test) };
}
