// Where the engine may read and write: the one module every file path the engine is given passes
// through. Two policies:
// - open (the CLI, the desktop app): the person chose the path in their own shell or in a native
//   dialog, so any path may be read; writes still never replace a file Glasswing did not make
//   unless the caller says the person confirmed it.
// - confined (the web host, reachable from a browser): typed paths are read only inside the
//   user's Glasswing folder, home folder, temporary folder and folders named when the host
//   started, never through hidden files or folders, and only as data files (.csv, .tsv, .txt) or
//   folders; writes go only to the Glasswing folder or a named folder.
// The Glasswing folder (GLASSWING_PROJECTS_DIR, default ~/Glasswing) holds projects, uploads/,
// exports/, studies/ and runs/.
import { realpathSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BadInputError } from '../../common/bad-input';

export class FileAccessError extends BadInputError {}

export type PlacesMode = 'open' | 'confined';

export interface PlacesOptions {
  mode: PlacesMode;
  /** Folders (besides the defaults) the person allowed for reading and writing. */
  allowed?: string[];
}

/** The user's Glasswing folder. */
export function glasswingDir(): string {
  return process.env['GLASSWING_PROJECTS_DIR'] ?? path.join(os.homedir(), 'Glasswing');
}

/** Data files a confined engine reads from a typed path. */
const DATA_FILE = /\.(csv|tsv|txt)$/i;
/** Model files a confined engine reads from a typed path. */
const MODEL_FILE = /(^|[\\/])model\.json$|\.(json|onnx|keras|h5|hdf5)$/i;

export type ReadKind = 'data' | 'model';

/** The real path of `p` (symbolic links followed), or its absolute path when it does not exist yet. */
function real(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    // The deepest existing parent decides; the rest is appended as it is.
    const parent = path.dirname(p);
    if (parent === p) return p;
    return path.join(real(parent), path.basename(p));
  }
}

function inside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export class Places {
  readonly mode: PlacesMode;
  private readonly allowed: string[];

  constructor(options: PlacesOptions = { mode: 'open' }) {
    this.mode = options.mode;
    this.allowed = (options.allowed ?? []).map((d) => path.resolve(d));
  }

  /** The policy a host asks for through the environment (GLASSWING_PLACES, GLASSWING_ALLOWED_DIRS). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): Places {
    const mode: PlacesMode = env['GLASSWING_PLACES'] === 'confined' ? 'confined' : 'open';
    const allowed = (env['GLASSWING_ALLOWED_DIRS'] ?? '').split(path.delimiter).filter(Boolean);
    return new Places({ mode, allowed });
  }

  get root(): string {
    return glasswingDir();
  }
  get uploads(): string {
    return path.join(this.root, 'uploads');
  }
  get exports(): string {
    return path.join(this.root, 'exports');
  }
  get studies(): string {
    return path.join(this.root, 'studies');
  }
  get runs(): string {
    return path.join(this.root, 'runs');
  }

  /**
   * What of the engine's own `dir` is (the Glasswing folder itself, or its store of finished runs,
   * uploads or studies), or null. Such folders are never export targets: a run's folder holds a
   * model.json too, so an export there would replace that run's model and its record.
   */
  engineStoreAt(dir: string): string | null {
    if (path.resolve(dir) === path.resolve(this.root)) return 'the Glasswing folder itself';
    const stores: [string, string][] = [[this.runs, 'finished runs'], [this.uploads, 'uploaded data'], [this.studies, 'tuning studies']];
    const hit = stores.find(([store]) => inside(path.resolve(dir), path.resolve(store)));
    return hit ? `where Glasswing keeps its ${hit[1]}` : null;
  }

  private readRoots(): string[] {
    return [this.root, os.homedir(), os.tmpdir(), ...this.allowed].map(real);
  }

  private writeRoots(): string[] {
    return [this.root, ...this.allowed].map(real);
  }

  /**
   * The absolute path of something the person typed or picked to read. Confined: inside the read
   * roots, no hidden segment, and a data or model file by its name (folders are fine).
   */
  async readable(p: string, kind: ReadKind): Promise<string> {
    const abs = path.resolve(p);
    if (this.mode === 'open') return abs;
    const resolved = real(abs);
    const root = this.readRoots().find((r) => inside(resolved, r));
    const where = 'your Glasswing folder, home folder or temporary folder';
    if (!root) throw new FileAccessError(`${p} is outside the folders the web workbench may read (${where}). Copy it there, or upload it with the file picker.`);
    if (path.relative(root, resolved).split(path.sep).some((s) => s.startsWith('.'))) {
      throw new FileAccessError(`${p} is in a hidden folder or is a hidden file; the web workbench does not read those.`);
    }
    let isDir = false;
    try {
      isDir = (await stat(resolved)).isDirectory();
    } catch {
      return resolved; // "does not exist" is for the reader to say, with its own words
    }
    const pattern = kind === 'data' ? DATA_FILE : MODEL_FILE;
    if (!isDir && !pattern.test(resolved)) {
      throw new FileAccessError(
        kind === 'data'
          ? `${path.basename(p)} is not a table file: Glasswing reads tables from .csv, .tsv or .txt files, and images from folders.`
          : `${path.basename(p)} is not a model file (model.json, .onnx, .keras or .h5).`,
      );
    }
    return resolved;
  }

  /**
   * The absolute path to write a file or folder at: relative paths land in `base` (a folder of the
   * Glasswing folder). Confined: only inside the Glasswing folder or an allowed folder.
   */
  writable(p: string, base: string = this.root): string {
    const abs = path.resolve(base, p);
    if (this.mode === 'open') return abs;
    const resolved = real(abs);
    if (!this.writeRoots().some((r) => inside(resolved, r))) {
      throw new FileAccessError(`${p} is outside your Glasswing folder (${this.root}); the web workbench saves only there. Use a name or a path inside it.`);
    }
    return resolved;
  }

  /**
   * Checks that writing a folder at `dir` replaces nothing the person made: it is absent, empty,
   * or `isOurs` recognises it (an earlier export, a saved model). Otherwise a FileAccessError,
   * unless `overwrite` says the person confirmed it.
   */
  async claimFolder(dir: string, isOurs: (names: string[]) => boolean, overwrite = false): Promise<void> {
    let names: string[];
    try {
      const info = await stat(dir);
      if (!info.isDirectory()) throw new FileAccessError(`${dir} is a file, not a folder; choose another name.`);
      names = await readdir(dir);
    } catch (e) {
      if (e instanceof FileAccessError) throw e;
      await mkdir(path.dirname(dir), { recursive: true });
      return;
    }
    if (names.length === 0 || overwrite || isOurs(names)) return;
    throw new FileAccessError(`${dir} already holds files Glasswing did not write (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}); choose another folder, or confirm that they may be replaced.`);
  }
}
