// Flag parsing shared by every command: strict (unknown flags are errors) and with `--help`.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './cli-error';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec<O extends Options> {
  name: string;
  usage: string;
  description: string;
  options: O;
}

/**
 * `--lr -0.1` as `--lr=-0.1`: node's parser reads a value that starts with a dash as another option
 * ("argument is ambiguous"); a negative number after an option that takes a value is its value, and
 * the flag's own check then says what is wrong with it.
 */
function joinNegativeValues(spec: CommandSpec<Options>, argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!, next = argv[i + 1];
    const name = a.startsWith('--') ? a.slice(2) : null;
    if (name && spec.options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export function parseCommand<O extends Options>(spec: CommandSpec<O>, argv: string[]) {
  try {
    const parsed = parseArgs({ args: joinNegativeValues(spec, argv), options: { ...spec.options, help: { type: 'boolean' }, debug: { type: 'boolean' } }, allowPositionals: false, strict: true });
    return parsed.values as { [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : string } & { help?: boolean; debug?: boolean };
  } catch (e) {
    throw new CliError(`${spec.name}: ${(e as Error).message.split('\n')[0]} (see \`glasswing ${spec.name} --help\`)`);
  }
}

export function helpText(spec: CommandSpec<Options>): string {
  return `Usage: glasswing ${spec.name} ${spec.usage}\n\n${spec.description}\n`;
}

export function numberFlag(value: string | undefined, name: string, fallback: number, check: (v: number) => boolean = () => true, what = 'a number'): number {
  if (value === undefined) return fallback;
  const v = Number(value);
  if (!Number.isFinite(v) || !check(v)) throw new CliError(`--${name} must be ${what}; got "${value}".`);
  return v;
}

export function required(value: string | undefined, name: string, command: string): string {
  if (!value) throw new CliError(`${command}: --${name} is required (see \`glasswing ${command} --help\`).`);
  return value;
}
