// `--out DIR` of the commands that write a model folder after long work (train, tune): checked
// before the work starts, so that a name that cannot be a folder does not waste a training run.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { CliError } from './cli-error';

/** Refuses `out` if it, or a folder on the way to it, is a file (nothing else on the way is created yet). */
export async function checkOutFolder(out: string, flag = '--out'): Promise<void> {
  let dir = path.resolve(out);
  for (;;) {
    const info = await stat(dir).catch(() => null);
    if (info) {
      if (!info.isDirectory()) {
        throw new CliError(dir === path.resolve(out) ? `${flag} ${out} is a file, not a folder; choose another name.` : `${flag} ${out} cannot be made: ${dir} is a file.`);
      }
      return;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}
