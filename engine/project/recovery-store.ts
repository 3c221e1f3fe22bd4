// Unsaved work kept between page loads and app runs, as an editor's hot exit keeps it: each page
// writes what it has not saved (the project as it would be saved, where it was saved last, what is
// unsaved) to its own slot in the config folder, atomically, and removes the slot once nothing is
// unsaved and no project is open (a saved project's slot only lets a reload reopen it). A reload finds its own slot and continues; a new page or the next run of the app offers
// the other slots (a window that crashed, a machine that lost power), so nothing a person made is
// lost because a page went away. Slots hold projects only (models, settings, run records), never data.
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { PROJECT_MAX_BYTES, ProjectError, validateProject, type ProjectFile } from '../../common/project/project-file';
import { RECOVERY_ID_PATTERN, type UnsavedWorkSummary } from '../../common/ipc/domains/project';
import { writeFileAtomic } from '../model-io';
import { configDir } from './project-store';

const RECOVERY_FORMAT = 'glasswing-unsaved-work';
/** Slots kept at most; the oldest beyond this are removed when another page keeps its work. */
export const MAX_RECOVERY_SLOTS = 20;

export interface KeptWork {
  /** The project as it would be saved now. */
  project: ProjectFile;
  /** Where it was saved or opened from (null: never saved). */
  path: string | null;
  /** Model edits not yet saved. */
  dirty: boolean;
  /** Finished runs not yet saved in a project. */
  unsavedRuns: number;
}


const slotSchema = z
  .object({
    format: z.literal(RECOVERY_FORMAT),
    id: z.string().regex(RECOVERY_ID_PATTERN),
    keptAt: z.string().max(100),
    path: z.string().max(4096).nullable(),
    dirty: z.boolean(),
    unsavedRuns: z.number().int().min(0),
    project: z.unknown(),
  })
  .strict();

function recoveryDir(): string {
  return path.join(configDir(), 'unsaved');
}

function slotFile(id: string): string {
  if (!RECOVERY_ID_PATTERN.test(id)) throw new ProjectError('That page id is not one Glasswing made.');
  return path.join(recoveryDir(), `${id}.json`);
}

/** Writes to one slot happen one after another (a later keep never loses to an earlier one still writing). */
const pending = new Map<string, Promise<unknown>>();
function serially<T>(id: string, work: () => Promise<T>): Promise<T> {
  const next = (pending.get(id) ?? Promise.resolve()).catch(() => undefined).then(work);
  pending.set(id, next);
  void next.finally(() => pending.get(id) === next && pending.delete(id)).catch(() => undefined);
  return next;
}

/** Keeps page `id`'s unsaved work (replacing what it kept before). */
export async function keepWork(id: string, work: KeptWork): Promise<{ keptAt: string }> {
  const file = slotFile(id);
  return serially(id, async () => {
    // Checked as a saved project is: what is kept can be opened again.
    const project = validateProject(work.project, 'The unsaved work');
    const keptAt = new Date().toISOString();
    const text = JSON.stringify({ format: RECOVERY_FORMAT, id, keptAt, path: work.path, dirty: work.dirty, unsavedRuns: work.unsavedRuns, project });
    if (Buffer.byteLength(text) > PROJECT_MAX_BYTES) throw new ProjectError(`The unsaved work is ${(Buffer.byteLength(text) / 2 ** 20).toFixed(0)} MB, more than a project may hold (${PROJECT_MAX_BYTES / 2 ** 20} MB): save it as a project after deleting some runs.`);
    try {
      await mkdir(recoveryDir(), { recursive: true });
      await writeFileAtomic(file, text);
    } catch (e) {
      throw fileError(e, file);
    }
    await pruneOldest(id);
    return { keptAt };
  });
}

/** Forgets page `id`'s slot (its work was saved, discarded or taken over by another page). */
export async function dropWork(id: string): Promise<void> {
  const file = slotFile(id);
  return serially(id, () => rm(file, { force: true }).catch((e: unknown) => Promise.reject(fileError(e, file))));
}

/** A file-system error on a slot, in a person's words (not errno's). */
function fileError(e: unknown, file: string): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    EISDIR: `${file} is a folder, not a file Glasswing wrote; move it away`,
    ENOTDIR: `a file is in the way of the folder ${path.dirname(file)}`,
    EACCES: `${path.dirname(file)} cannot be written (permission denied)`,
    EPERM: `${path.dirname(file)} cannot be written (permission denied)`,
    EROFS: `${path.dirname(file)} is on a read-only disk`,
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
  };
  return code && why[code] ? new ProjectError(`The unsaved work could not be kept: ${why[code]}.`) : e;
}

type Slot = z.infer<typeof slotSchema> & { project: ProjectFile };

/** Reads one slot: the slot, 'absent', or why it cannot be used (damaged, not one of ours). */
async function readSlot(file: string): Promise<Slot | 'absent' | { damaged: string }> {
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) return { damaged: 'it is not a file' };
    if (info.size > PROJECT_MAX_BYTES + 4096) return { damaged: `it is ${(info.size / 2 ** 20).toFixed(0)} MB, more than a project may hold` };
    text = await readFile(file, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'absent' : { damaged: `it cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    const slot = slotSchema.safeParse(JSON.parse(text));
    if (!slot.success || `${slot.data.id}.json` !== path.basename(file)) return { damaged: 'it is not unsaved work Glasswing kept' };
    return { ...slot.data, project: validateProject(slot.data.project, 'The unsaved work') };
  } catch (e) {
    return { damaged: e instanceof ProjectError ? e.message.replace(/^The unsaved work is damaged: /, '').replace(/\.$/, '') : 'it is not valid JSON' };
  }
}

const usable = (s: Slot | 'absent' | { damaged: string }): s is Slot => s !== 'absent' && !('damaged' in s);

async function slotFiles(): Promise<string[]> {
  try {
    return (await readdir(recoveryDir())).filter((n) => n.endsWith('.json') && RECOVERY_ID_PATTERN.test(n.slice(0, -5))).map((n) => path.join(recoveryDir(), n));
  } catch {
    return [];
  }
}

/** Every readable slot, newest first. */
export async function listWork(): Promise<UnsavedWorkSummary[]> {
  const slots = (await Promise.all((await slotFiles()).map(readSlot))).filter(usable);
  return slots
    .map((s) => ({
      id: s.id,
      keptAt: s.keptAt,
      name: s.project.name,
      path: s.path,
      dirty: s.dirty,
      unsavedRuns: s.unsavedRuns,
      runs: s.project.runs.length,
      layers: Array.isArray(s.project.model.config['layers']) ? (s.project.model.config['layers'] as unknown[]).length : 0,
    }))
    .sort((a, b) => b.keptAt.localeCompare(a.keptAt));
}

/** One slot's work, to continue with. */
export async function readWork(id: string): Promise<KeptWork & { keptAt: string }> {
  const slot = await readSlot(slotFile(id));
  if (slot === 'absent') throw new ProjectError('That unsaved work is no longer kept (another page took it over or discarded it).');
  if (!usable(slot)) throw new ProjectError(`That unsaved work cannot be restored: ${slot.damaged}.`);
  return { project: slot.project, path: slot.path, dirty: slot.dirty, unsavedRuns: slot.unsavedRuns, keptAt: slot.keptAt };
}

/** Removes the slots past the newest MAX_RECOVERY_SLOTS; slots without unsaved work (a saved project's place) go first. */
async function pruneOldest(keep: string): Promise<void> {
  // Reading every slot costs time with large projects: only when there are too many files.
  if ((await slotFiles()).length <= MAX_RECOVERY_SLOTS) return;
  const all = await listWork();
  const excess = all.length - MAX_RECOVERY_SLOTS;
  if (excess <= 0) return;
  const unsaved = (s: UnsavedWorkSummary) => s.dirty || s.unsavedRuns > 0;
  // Newest first: the candidates to remove are the oldest without unsaved work, then the oldest.
  const order = [...all.filter((s) => !unsaved(s)).reverse(), ...all.filter(unsaved).reverse()].filter((s) => s.id !== keep);
  for (const old of order.slice(0, excess)) await dropWork(old.id).catch(() => undefined);
}
