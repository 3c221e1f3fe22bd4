// Shared by the import tests: where the fixtures are, what make_fixtures.py recorded, and the
// fixed inputs it recorded them for (the same integer formula as fixture_input in Python).
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES = path.join(__dirname, 'fixtures');

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

export interface ExpectedFixture {
  /** ONNX: NCHW without the batch; Keras: NHWC without the batch. */
  inputShape: number[];
  params: number;
  /** The recorded outputs for fixtureInput(examples ?? 2, inputShape), flattened. */
  outputs: number[];
  opset?: number;
  examples?: number;
  /** Keras fixtures: the inputs were fixtureInput · inputScale + inputOffset (pixel-like). */
  inputScale?: number;
  inputOffset?: number;
}

export function expected(name: string): ExpectedFixture {
  const all = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, ExpectedFixture>;
  const e = all[name];
  if (!e) throw new Error(`expected.json has no ${name}`);
  return e;
}

/** make_fixtures.py's fixture_input: exact in float32 on both sides. */
export function fixtureInput(count: number, shape: number[]): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: count * size }, (_, j) => ((j * 7919 + 13) % 1009) / 504.5 - 1);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
