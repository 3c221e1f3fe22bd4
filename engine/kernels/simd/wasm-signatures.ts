// Which parameters of each exported function are floats, read from a module's binary (its type,
// import, function and export sections). Thread jobs pass arguments through Int32Array words, so
// float arguments must be stored (and read back) as float32 bits rather than converted to integers.
const F32 = 0x7d, F64 = 0x7c;

function leb(bytes: Uint8Array, pos: { p: number }): number {
  let result = 0, shift = 0, b: number;
  do {
    b = bytes[pos.p++]!;
    result |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return result >>> 0;
}

/** For each exported function: the indices of its float (f32/f64) parameters. */
export function floatParams(bytes: Uint8Array): Map<string, number[]> {
  const pos = { p: 8 };
  const types: number[][] = [];
  const funcTypes: number[] = [];
  let importedFuncs = 0;
  const out = new Map<string, number[]>();
  while (pos.p < bytes.length) {
    const id = bytes[pos.p++]!;
    const size = leb(bytes, pos);
    const end = pos.p + size;
    if (id === 1) {
      const n = leb(bytes, pos);
      for (let i = 0; i < n; i++) {
        pos.p++; // 0x60: func
        const np = leb(bytes, pos);
        const params: number[] = [];
        for (let k = 0; k < np; k++) params.push(bytes[pos.p++]!);
        const nr = leb(bytes, pos);
        pos.p += nr;
        types.push(params);
      }
    } else if (id === 2) {
      const n = leb(bytes, pos);
      for (let i = 0; i < n; i++) {
        // Not `pos.p += leb(...)`: that reads pos.p before leb advances it past the length.
        const moduleLength = leb(bytes, pos);
        pos.p += moduleLength;
        const nameLength = leb(bytes, pos);
        pos.p += nameLength;
        const kind = bytes[pos.p++]!;
        if (kind === 0) { leb(bytes, pos); importedFuncs++; } else if (kind === 1) { pos.p++; const f = leb(bytes, pos); leb(bytes, pos); if (f & 1) leb(bytes, pos); } else if (kind === 2) { const f = leb(bytes, pos); leb(bytes, pos); if (f & 1) leb(bytes, pos); } else { pos.p += 2; }
      }
    } else if (id === 3) {
      const n = leb(bytes, pos);
      for (let i = 0; i < n; i++) funcTypes.push(leb(bytes, pos));
    } else if (id === 7) {
      const n = leb(bytes, pos);
      for (let i = 0; i < n; i++) {
        const len = leb(bytes, pos);
        const name = new TextDecoder().decode(bytes.subarray(pos.p, pos.p + len));
        pos.p += len;
        const kind = bytes[pos.p++]!;
        const index = leb(bytes, pos);
        if (kind === 0 && index >= importedFuncs) {
          const params = types[funcTypes[index - importedFuncs]!] ?? [];
          out.set(name, params.flatMap((t, k) => (t === F32 || t === F64 ? [k] : [])));
        }
      }
    }
    pos.p = end;
  }
  return out;
}
