// Project files on disk: atomic saves, validated opens with a size cap, and a short list of recent
// projects. Relative paths live in the Glasswing folder (GLASSWING_PROJECTS_DIR, default
// ~/Glasswing); where a path may point is the Places policy's to say.
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_EXTENSION, PROJECT_FORMAT, PROJECT_MAX_BYTES, ProjectError, validateProject, type ProjectFile } from '../../common/project/project-file';
import { writeFileAtomic } from '../model-io';
import { Places, glasswingDir } from '../files/places';

/** The Glasswing folder (kept under its old name for the callers that use it). */
export function projectsDir(): string {
  return glasswingDir();
}

/** Where Glasswing keeps its own state (the recent list, unsaved work): GLASSWING_CONFIG_DIR, default ~/.config/glasswing. */
export function configDir(): string {
  return process.env['GLASSWING_CONFIG_DIR'] ?? path.join(os.homedir(), '.config', 'glasswing');
}

function withExtension(p: string): string {
  return p.endsWith(PROJECT_EXTENSION) ? p : `${p.replace(/\.json$/, '')}${PROJECT_EXTENSION}`;
}

export interface ProjectStoreOptions {
  /** Where the engine may read and write (default: open, as the CLI and the desktop app). */
  places?: Places;
  /** Replace a file that is not a Glasswing project (a person confirmed it). */
  overwrite?: boolean;
}

export interface RecentProject {
  path: string;
  name: string;
  savedAt: string;
}

async function readRecent(): Promise<RecentProject[]> {
  try {
    const list = JSON.parse(await readFile(path.join(configDir(), 'recent.json'), 'utf8'));
    return Array.isArray(list) ? list.filter((r) => typeof r?.path === 'string' && typeof r?.name === 'string').slice(0, 10) : [];
  } catch {
    return [];
  }
}

/** The last update of the recent list: updates run one after another, so that saves at once do not drop each other's entries. */
let recentUpdate: Promise<void> = Promise.resolve();

/**
 * Puts `entry` first in the recent list. A convenience: the save or open it follows has already
 * succeeded, so a list that cannot be written (a read-only config folder) does not fail it.
 */
function remember(entry: RecentProject): Promise<void> {
  recentUpdate = recentUpdate.then(async () => {
    const list = [entry, ...(await readRecent()).filter((r) => r.path !== entry.path)].slice(0, 10);
    await mkdir(configDir(), { recursive: true });
    await writeFileAtomic(path.join(configDir(), 'recent.json'), JSON.stringify(list, null, 2));
  }).catch(() => undefined);
  return recentUpdate;
}

/** Whether the file at `file` is absent or a Glasswing project (so saving over it loses nothing foreign). */
async function isOursOrAbsent(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    if (code === 'EACCES' || code === 'EPERM') throw new ProjectError(`${file} cannot be read (permission denied), so it cannot be replaced.`);
    if (code === 'ENOTDIR') throw new ProjectError(`${file} cannot be saved: part of its folder path is a file.`);
    return false;
  }
  try {
    if ((await handle.stat()).isDirectory()) throw new ProjectError(`${file} is a folder; choose another name for the project.`);
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead).toString('utf8').includes(`"${PROJECT_FORMAT}"`);
  } finally {
    await handle.close();
  }
}

export async function saveProject(p: string, project: ProjectFile, options: ProjectStoreOptions = {}): Promise<{ path: string; savedAt: string }> {
  const places = options.places ?? new Places();
  if (/[\\/]$/.test(p) || /^\.*$/.test(path.basename(p))) throw new ProjectError(`"${p.slice(0, 120)}" names a folder, not a project; add the project's name.`);
  const file = places.writable(withExtension(p));
  const nameBytes = Buffer.byteLength(path.basename(file));
  if (nameBytes > 255) throw new ProjectError(`The project name is too long (${nameBytes} bytes with ${PROJECT_EXTENSION}; at most 255); choose a shorter one.`);
  if (!options.overwrite && !(await isOursOrAbsent(file))) {
    throw new ProjectError(`${file} exists and is not a Glasswing project; choose another name, or confirm that it may be replaced.`);
  }
  const savedAt = new Date().toISOString();
  // Validate what we write exactly as we validate what we read.
  const checked = validateProject({ ...project, savedAt }, path.basename(file));
  const text = JSON.stringify(checked, null, 2) + '\n';
  if (Buffer.byteLength(text) > PROJECT_MAX_BYTES) throw new ProjectError(`The project is ${(Buffer.byteLength(text) / 2 ** 20).toFixed(0)} MB; projects are limited to ${PROJECT_MAX_BYTES / 2 ** 20} MB. Delete some runs first.`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, text);
  await remember({ path: file, name: checked.name, savedAt });
  return { path: file, savedAt };
}

export async function openProject(p: string, options: ProjectStoreOptions = {}): Promise<{ path: string; project: ProjectFile }> {
  const places = options.places ?? new Places();
  const typed = withExtension(p);
  const file = path.isAbsolute(typed) ? await places.readable(typed, 'model') : places.writable(typed);
  let text;
  try {
    const size = (await stat(file)).size;
    if (size > PROJECT_MAX_BYTES) throw new ProjectError(`${path.basename(file)} is ${(size / 2 ** 20).toFixed(0)} MB; projects are limited to ${PROJECT_MAX_BYTES / 2 ** 20} MB, so it is not a Glasswing project or it is damaged.`);
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof ProjectError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ProjectError(code === 'ENOENT' ? `${file} does not exist.` : `Cannot read ${file}: ${code === 'EACCES' ? 'permission denied' : (e as Error).message.split('\n')[0]}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's own message quotes the file's bytes; a message names the file only.
    throw new ProjectError(`${path.basename(file)} is damaged: it is not valid JSON.`);
  }
  const project = validateProject(json, path.basename(file));
  await remember({ path: file, name: project.name, savedAt: project.savedAt });
  return { path: file, project };
}

export async function recentProjects(): Promise<{ directory: string; recent: RecentProject[] }> {
  return { directory: projectsDir(), recent: await readRecent() };
}
