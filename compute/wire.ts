// Compute messages as bytes, for the web host's WebSocket (a MessagePort needs none of this: it
// clones typed arrays itself). JSON cannot hold typed arrays or NaN, and base64 would grow the
// data by a third, so a message is one JSON header in which every typed array is a reference into
// the binary section that follows, each array aligned for a zero-copy view:
//
//   "GWC1" | u32 header length | header (UTF-8 JSON) | zero padding to 8 | array bytes, each padded to 8
//
// decode() checks every length and offset against the bytes it was given and throws WireError on
// anything else, so a malformed or hostile message can never read outside its buffer.

const MAGIC = 0x31435747; // "GWC1" little-endian
const KINDS = {
  f32: Float32Array,
  f64: Float64Array,
  i32: Int32Array,
  u8: Uint8Array,
} as const;
type Kind = keyof typeof KINDS;
type TypedArray = InstanceType<(typeof KINDS)[Kind]>;

export class WireError extends Error {
  constructor(message: string) {
    super(`Malformed compute message: ${message}`);
    this.name = 'WireError';
  }
}

function kindOf(v: unknown): Kind | null {
  if (v instanceof Float32Array) return 'f32';
  if (v instanceof Float64Array) return 'f64';
  if (v instanceof Int32Array) return 'i32';
  if (v instanceof Uint8Array) return 'u8';
  return null;
}

const pad8 = (n: number) => (n + 7) & ~7;

export function encode(message: unknown): Uint8Array {
  const arrays: TypedArray[] = [];
  let offset = 0;
  const header = JSON.stringify(message, function (this: unknown, _key, value: unknown) {
    const kind = kindOf(value);
    if (kind) {
      const a = value as TypedArray;
      const ref = { $ta: kind, o: offset, n: a.length };
      arrays.push(a);
      offset += pad8(a.byteLength);
      return ref;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) return { $num: String(value) };
    return value;
  });
  const head = new TextEncoder().encode(header);
  const start = pad8(8 + head.length);
  const out = new Uint8Array(start + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, head.length, true);
  out.set(head, 8);
  let at = start;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += pad8(a.byteLength);
  }
  return out;
}

export function decode(input: Uint8Array): unknown {
  // Views need their element alignment: copy a buffer that arrived at an odd offset (Node pools).
  const bytes = input.byteOffset % 8 === 0 ? input : input.slice();
  if (bytes.length < 8) throw new WireError('shorter than its 8-byte preamble.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new WireError('it does not start with GWC1.');
  const headLength = view.getUint32(4, true);
  if (8 + headLength > bytes.length) throw new WireError(`its header claims ${headLength} bytes; ${bytes.length - 8} follow.`);
  const start = pad8(8 + headLength);
  const binary = bytes.length - start;
  let header: string;
  try {
    header = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headLength));
  } catch {
    throw new WireError('its header is not UTF-8.');
  }
  try {
    return JSON.parse(header, (_key, value: unknown) => {
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const v = value as Record<string, unknown>;
        if (typeof v['$ta'] === 'string') {
          const kind = v['$ta'] as Kind;
          const Ctor = KINDS[kind];
          const o = v['o'];
          const n = v['n'];
          if (!Object.hasOwn(KINDS, kind) || !Number.isSafeInteger(o) || !Number.isSafeInteger(n) || (o as number) < 0 || (n as number) < 0 || (o as number) % 8 !== 0) {
            throw new WireError('an array reference is invalid.');
          }
          const byteLength = (n as number) * Ctor.BYTES_PER_ELEMENT;
          if ((o as number) + byteLength > binary) throw new WireError('an array reaches past the end of the message.');
          return new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset + start + (o as number), n as number);
        }
        if (typeof v['$num'] === 'string' && Object.keys(v).length === 1) {
          const n = Number(v['$num']);
          if (!Number.isNaN(n) && Number.isFinite(n)) throw new WireError('a special number is finite.');
          return n;
        }
      }
      return value;
    });
  } catch (e) {
    if (e instanceof WireError) throw e;
    throw new WireError(`its header is not JSON (${(e as Error).message}).`);
  }
}
