// Splits a range into runs of whole units, for sharing work among threads and for reductions.

/** Boundaries splitting [0, n) into `parts` runs whose lengths are multiples of `align` (but the last). */
export function splitAligned(n: number, parts: number, align: number): number[] {
  const out = [0];
  const units = Math.ceil(n / align);
  for (let t = 1; t < parts; t++) out.push(Math.min(n, Math.round((units * t) / parts) * align));
  out.push(n);
  return out;
}
