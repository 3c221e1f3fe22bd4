// Search spaces: float (uniform or log-uniform, optional step), int (step or log), categorical.
// Matches Optuna's FloatDistribution / IntDistribution / CategoricalDistribution, including the
// "internal representation" (a categorical is stored as its index).
import { BadInputError } from '../../common/bad-input';

export type Distribution =
  | { type: 'float'; low: number; high: number; log?: boolean; step?: number }
  | { type: 'int'; low: number; high: number; log?: boolean; step?: number }
  | { type: 'categorical'; choices: (number | string | boolean)[] };

export type ParamValue = number | string | boolean;
export type SearchSpace = Record<string, Distribution>;
export type Params = Record<string, ParamValue>;

export class SpaceError extends BadInputError {}

export function validateDistribution(name: string, d: Distribution): void {
  if (d.type === 'categorical') {
    if (!Array.isArray(d.choices) || d.choices.length === 0) throw new SpaceError(`${name}: a categorical parameter needs at least one choice.`);
    return;
  }
  if (!Number.isFinite(d.low) || !Number.isFinite(d.high) || d.low > d.high) throw new SpaceError(`${name}: low (${d.low}) must not exceed high (${d.high}).`);
  if (d.log && d.low <= 0) throw new SpaceError(`${name}: a log-scale range must be above 0; got low ${d.low}.`);
  if (d.log && d.step !== undefined && d.type === 'float') throw new SpaceError(`${name}: a log-scale float cannot have a step.`);
  if (d.type === 'int' && (!Number.isInteger(d.low) || !Number.isInteger(d.high))) throw new SpaceError(`${name}: an integer range needs whole-number ends.`);
  if (d.step !== undefined && !(d.step > 0)) throw new SpaceError(`${name}: step must be above 0.`);
}

/** The value the samplers work with: categorical → index; numbers as they are. */
export function toInternal(d: Distribution, v: ParamValue): number {
  if (d.type === 'categorical') {
    const i = d.choices.findIndex((c) => c === v);
    if (i < 0) throw new SpaceError(`${JSON.stringify(v)} is not one of ${JSON.stringify(d.choices)}.`);
    return i;
  }
  return Number(v);
}

export function toExternal(d: Distribution, v: number): ParamValue {
  if (d.type === 'categorical') return d.choices[Math.round(v)]!;
  if (d.type === 'int') return Math.round(v);
  return v;
}

export function isSingle(d: Distribution): boolean {
  if (d.type === 'categorical') return d.choices.length === 1;
  if (d.low === d.high) return true;
  return d.step !== undefined && d.low + d.step > d.high;
}

/** Whether a value lies in the distribution (used when loading a study file). */
export function contains(d: Distribution, v: ParamValue): boolean {
  if (d.type === 'categorical') return d.choices.includes(v);
  return typeof v === 'number' && v >= d.low && v <= d.high;
}

// ---- the CLI / UI string form: lr=1e-4:1e-1:log,dropout=0:0.5,batch=16|32|64,units.dense_1=4:64 ----

/**
 * Parses `name=low:high[:log][:step=S]` or `name=a|b|c` items separated by commas. Integer-looking
 * ranges of integer parameters (batch, units.*, or `:int`) become int distributions.
 */
export function parseSpace(text: string): SearchSpace {
  const space: SearchSpace = {};
  for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = raw.indexOf('=');
    if (eq <= 0) throw new SpaceError(`"${raw}" must look like name=low:high, name=low:high:log or name=a|b|c.`);
    const name = raw.slice(0, eq).trim();
    const body = raw.slice(eq + 1).trim();
    if (body.includes('|')) {
      const choices = body.split('|').map((c) => c.trim()).filter((c) => c !== '').map((c) => (c !== '' && Number.isFinite(Number(c)) ? Number(c) : c));
      space[name] = { type: 'categorical', choices };
    } else {
      const parts = body.split(':').map((p) => p.trim());
      const low = Number(parts[0]);
      const high = Number(parts[1]);
      if (parts.length < 2 || !Number.isFinite(low) || !Number.isFinite(high)) throw new SpaceError(`"${raw}": the range must be two numbers, low:high.`);
      let log = false;
      let step: number | undefined;
      let forceInt = false;
      let forceFloat = false;
      for (const flag of parts.slice(2)) {
        if (flag === 'log') log = true;
        else if (flag === 'int') forceInt = true;
        else if (flag === 'float') forceFloat = true;
        else if (/^step=/.test(flag) && Number.isFinite(Number(flag.slice(5)))) step = Number(flag.slice(5));
        else throw new SpaceError(`"${raw}": unknown option "${flag}" (use log, int, float or step=S).`);
      }
      const intLike = Number.isInteger(low) && Number.isInteger(high) && (step === undefined || Number.isInteger(step));
      const isInt = forceInt || (!forceFloat && intLike && (name === 'batch' || name === 'batchSize' || name.startsWith('units.') || name.startsWith('filters.') || name === 'epochs'));
      space[name] = isInt ? { type: 'int', low, high, ...(log ? { log } : {}), ...(step !== undefined ? { step } : {}) } : { type: 'float', low, high, ...(log ? { log } : {}), ...(step !== undefined ? { step } : {}) };
    }
    validateDistribution(name, space[name]!);
  }
  if (Object.keys(space).length === 0) throw new SpaceError('The search space is empty.');
  return space;
}

export function formatDistribution(d: Distribution): string {
  if (d.type === 'categorical') return d.choices.join('|');
  return `${d.low}:${d.high}${d.log ? ':log' : ''}${d.step !== undefined ? `:step=${d.step}` : ''}${d.type === 'int' && !d.log ? '' : ''}`;
}
