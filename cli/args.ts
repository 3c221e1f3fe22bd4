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

export function parseCommand<O extends Options>(spec: CommandSpec<O>, argv: string[]) {
  try {
    const parsed = parseArgs({ args: argv, options: { ...spec.options, help: { type: 'boolean' }, debug: { type: 'boolean' } }, allowPositionals: false, strict: true });
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
