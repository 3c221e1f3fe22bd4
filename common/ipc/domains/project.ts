// The project domain of the contract: saving and opening *.glasswing.json files (atomically, and
// only where the host lets the engine write), and the recent list.
import { z } from 'zod';
import { projectFileSchema, type ProjectFile } from '../../project/project-file';
import { pathSchema } from './shared';

/** A page's id for its slot of unsaved work (the page makes it: random, URL-safe). */
export const RECOVERY_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const recoveryId = z.string().regex(RECOVERY_ID_PATTERN, 'not a page id Glasswing made');

export const projectRequests = {
  'project.save': z
    .object({
      path: pathSchema,
      project: projectFileSchema,
      /** Replace a file that is there and is not a Glasswing project (a person confirmed it). */
      overwrite: z.boolean().optional(),
    })
    .strict(),
  'project.open': z.object({ path: pathSchema }).strict(),
  'project.recent': z.object({}).strict(),
  /** Keeps this page's unsaved work (a reload or the next app run offers it again). */
  'project.keepUnsaved': z
    .object({
      id: recoveryId,
      project: projectFileSchema,
      path: z.string().max(4096).nullable(),
      dirty: z.boolean(),
      unsavedRuns: z.number().int().min(0).max(1_000_000),
    })
    .strict(),
  /** Forgets a page's kept work (saved, discarded, or continued on another page). */
  'project.dropUnsaved': z.object({ id: recoveryId }).strict(),
  /** The unsaved work kept by pages, newest first. */
  'project.listUnsaved': z.object({}).strict(),
  /** One page's kept work, to continue with. */
  'project.readUnsaved': z.object({ id: recoveryId }).strict(),
} as const;

/** One page's kept unsaved work, as listed. */
export interface UnsavedWorkSummary {
  id: string;
  keptAt: string;
  name: string;
  path: string | null;
  dirty: boolean;
  unsavedRuns: number;
  runs: number;
  layers: number;
}

export interface ProjectResponses {
  'project.save': { path: string; savedAt: string };
  'project.open': { path: string; project: ProjectFile };
  'project.recent': { directory: string; recent: { path: string; name: string; savedAt: string }[] };
  'project.keepUnsaved': { keptAt: string };
  'project.dropUnsaved': { ok: true };
  'project.listUnsaved': { kept: UnsavedWorkSummary[] };
  'project.readUnsaved': { keptAt: string; project: ProjectFile; path: string | null; dirty: boolean; unsavedRuns: number };
}
