// The project domain: *.glasswing.json files saved atomically where the host lets the engine write
// (never over a file that is not a Glasswing project unless the person confirmed it), opened with
// a size cap and the project schema, and the recent list.
import type { Handlers } from '../../common/ipc/router';
import { openProject, recentProjects, saveProject } from '../project/project-store';
import type { EngineContext } from '../core/context';

export type ProjectHandlers = Pick<Handlers, 'project.save' | 'project.open' | 'project.recent'>;

export function projectHandlers(ctx: EngineContext): ProjectHandlers {
  return {
    'project.save': async ({ path, project, overwrite }) => saveProject(path, project, { places: ctx.places, overwrite: overwrite ?? false }),
    'project.open': async ({ path }) => openProject(path, { places: ctx.places }),
    'project.recent': async () => recentProjects(),
  };
}
