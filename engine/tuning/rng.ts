// A seeded generator for the samplers: xoshiro128** seeded through splitmix32 from a seed and any
// number of keys (trial number, parameter name), so a draw depends only on (seed, trial, name).
// That makes a resumed study sample exactly as an uninterrupted one would.

function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) >>> 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return [state, (z ^ (z >>> 16)) >>> 0];
}

function hashKey(h: number, key: number | string): number {
  const s = typeof key === 'number' ? `#${key}` : key;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
}

export interface Rng {
  /** Uniform in [0, 1) with 53 random bits. */
  random(): number;
  uniform(low: number, high: number): number;
  /** Index drawn with probabilities proportional to `weights`. */
  choice(weights: ArrayLike<number>): number;
}

export function createRng(seed: number, ...keys: (number | string)[]): Rng {
  let h = 0x811c9dc5 ^ (seed >>> 0) ^ Math.floor(seed / 2 ** 32);
  for (const k of keys) h = hashKey(h, k);
  let st = h >>> 0;
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    const [next, out] = splitmix32(st);
    st = next;
    s[i] = out;
  }
  const next32 = (): number => {
    const result = Math.imul(((Math.imul(s[1]!, 5) << 7) | (Math.imul(s[1]!, 5) >>> 25)) >>> 0, 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = ((s[3]! << 11) | (s[3]! >>> 21)) >>> 0;
    return result;
  };
  const random = (): number => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
  return {
    random,
    uniform: (low, high) => low + (high - low) * random(),
    choice: (weights) => {
      let total = 0;
      for (let i = 0; i < weights.length; i++) total += weights[i]!;
      const u = random() * total;
      let acc = 0;
      for (let i = 0; i < weights.length; i++) {
        acc += weights[i]!;
        if (u < acc) return i;
      }
      return weights.length - 1;
    },
  };
}
