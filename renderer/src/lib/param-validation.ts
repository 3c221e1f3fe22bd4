// Parses and checks a parameter as typed in the form, with messages a learner understands.
import type { ParamSchema } from '../../../common/model/layer-registry';

export type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

function numberIn(text: string, p: { min?: number; max?: number; label: string }, integer: boolean): Parsed {
  if (text.trim() === '') return { ok: false, message: `${p.label} is required.` };
  const v = Number(text);
  if (!Number.isFinite(v)) return { ok: false, message: `${p.label} must be a number.` };
  if (integer && !Number.isInteger(v)) return { ok: false, message: `${p.label} must be a whole number.` };
  if (p.min !== undefined && v < p.min) return { ok: false, message: `${p.label} must be at least ${p.min}.` };
  if (p.max !== undefined && v > p.max) return { ok: false, message: `${p.label} must be at most ${p.max}.` };
  return { ok: true, value: v };
}

export function parseParam(p: ParamSchema, text: string): Parsed {
  switch (p.kind) {
    case 'int':
      return numberIn(text, p, true);
    case 'float':
      return numberIn(text, p, false);
    case 'pair': {
      const parts = text.split(/[,x× ]+/).filter(Boolean);
      if (parts.length !== 1 && parts.length !== 2) return { ok: false, message: `${p.label}: one number, or two separated by a comma.` };
      const values: number[] = [];
      for (const part of parts) {
        const r = numberIn(part, { ...p, min: p.min ?? 1 }, true);
        if (!r.ok) return r;
        values.push(r.value as number);
      }
      return { ok: true, value: values.length === 1 ? [values[0], values[0]] : values };
    }
    case 'shape': {
      const parts = text.split(/[,x× ]+/).filter(Boolean);
      if (parts.length === 0) return { ok: false, message: `${p.label} needs at least one number, e.g. 28, 28, 1.` };
      const values: number[] = [];
      for (const part of parts) {
        const v = Number(part);
        if (!Number.isInteger(v) || (v < 1 && !(p.allowUnknown && v === -1))) return { ok: false, message: `${p.label}: "${part}" must be a whole number of at least 1${p.allowUnknown ? ' (or -1)' : ''}.` };
        values.push(v);
      }
      return { ok: true, value: p.key === 'batch_input_shape' ? [null, ...values] : values };
    }
    case 'bool':
      return { ok: true, value: text === 'true' };
    case 'enum':
      return p.options.includes(text) ? { ok: true, value: text } : { ok: false, message: `${p.label} must be one of ${p.options.join(', ')}.` };
  }
}

export function formatParam(p: ParamSchema, value: unknown): string {
  if (value === undefined || value === null) return p.kind === 'pair' || p.kind === 'shape' ? (p.default as number[]).join(', ') : String(p.default);
  if (Array.isArray(value)) {
    const v = p.key === 'batch_input_shape' ? value.slice(1) : value;
    return p.kind === 'pair' && v[0] === v[1] ? String(v[0]) : v.join(', ');
  }
  return String(value);
}
