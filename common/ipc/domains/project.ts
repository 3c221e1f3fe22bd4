// The project domain of the contract: saving and opening *.glasswing.json files (atomically, and
// only where the host lets the engine write), and the recent list.
import { z } from 'zod';
import { projectFileSchema, type ProjectFile } from '../../project/project-file';
import { pathSchema } from './shared';

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
} as const;

export interface ProjectResponses {
  'project.save': { path: string; savedAt: string };
  'project.open': { path: string; project: ProjectFile };
  'project.recent': { directory: string; recent: { path: string; name: string; savedAt: string }[] };
}
