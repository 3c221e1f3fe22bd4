// The project domain: *.glasswing.json files saved atomically where the host lets the engine write
// (never over a file that is not a Glasswing project unless the person confirmed it), opened with
// a size cap and the project schema, the recent list, and each page's unsaved work kept between
// page loads and app runs.
import type { Handlers } from '../../common/ipc/router';
import { openProject, recentProjects, saveProject } from '../project/project-store';
import { dropWork, keepWork, listWork, readWork } from '../project/recovery-store';
import type { EngineContext } from '../core/context';

export type ProjectHandlers = Pick<Handlers, 'project.save' | 'project.open' | 'project.recent' | 'project.keepUnsaved' | 'project.dropUnsaved' | 'project.listUnsaved' | 'project.readUnsaved'>;

export function projectHandlers(ctx: EngineContext): ProjectHandlers {
  return {
    'project.save': async ({ path, project, overwrite }) => saveProject(path, project, { places: ctx.places, overwrite: overwrite ?? false }),
    'project.open': async ({ path }) => openProject(path, { places: ctx.places }),
    'project.recent': async () => recentProjects(),
    'project.keepUnsaved': async ({ id, ...work }) => keepWork(id, work),
    'project.dropUnsaved': async ({ id }) => {
      await dropWork(id);
      return { ok: true as const };
    },
    'project.listUnsaved': async () => ({ kept: await listWork() }),
    'project.readUnsaved': async ({ id }) => readWork(id),
  };
}
