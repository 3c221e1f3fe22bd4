// Sums spread over threads, in the same order every time. A reduction (a filter gradient summed
// over images or tiles, a bias gradient summed over rows) splits its range into chunks that depend
// only on the shape — never on the thread count or on which thread takes which chunk — gives each
// chunk its own accumulator, and adds the accumulators in chunk order. A seeded run then repeats
// bit for bit, on any number of threads; per-thread accumulators did not (which thread took which
// task decided the order of the additions, so two runs drifted apart by rounding).
import { splitAligned } from './split-aligned';

/** Chunks per reduction: enough for threads to share out (they take chunks as tasks), few to add up. */
const MAX_CHUNKS = 16;

/**
 * Boundaries of [0, n) in at most 16 chunks of whole `align` units, fewer when each chunk's
 * accumulator of `accumulatorFloats` would take the chunks past `budgetFloats` (16M floats: 64 MiB).
 */
export function reductionChunks(n: number, align = 1, accumulatorFloats = 0, budgetFloats = 16 * 1024 * 1024): number[] {
  const units = Math.ceil(n / align);
  const byMemory = accumulatorFloats > 0 ? Math.floor(budgetFloats / accumulatorFloats) : MAX_CHUNKS;
  return splitAligned(n, Math.max(1, Math.min(units, MAX_CHUNKS, byMemory)), align);
}
