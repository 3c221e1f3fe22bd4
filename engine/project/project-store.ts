// Project files on disk: atomic saves, validated opens, and a short list of recent projects.
// Relative paths live in the projects folder (GLASSWING_PROJECTS_DIR, default ~/Glasswing).
import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_EXTENSION, ProjectError, validateProject, type ProjectFile } from '../../common/project/project-file';
import { writeFileAtomic } from '../model-io';

export function projectsDir(): string {
  return process.env['GLASSWING_PROJECTS_DIR'] ?? path.join(os.homedir(), 'Glasswing');
}

function configDir(): string {
  return process.env['GLASSWING_CONFIG_DIR'] ?? path.join(os.homedir(), '.config', 'glasswing');
}

export function resolveProjectPath(p: string): string {
  const withExt = p.endsWith(PROJECT_EXTENSION) ? p : `${p.replace(/\.json$/, '')}${PROJECT_EXTENSION}`;
  return path.resolve(projectsDir(), withExt);
}

export interface RecentProject {
  path: string;
  name: string;
  savedAt: string;
}

async function readRecent(): Promise<RecentProject[]> {
  try {
    const list = JSON.parse(await readFile(path.join(configDir(), 'recent.json'), 'utf8'));
    return Array.isArray(list) ? list.filter((r) => typeof r?.path === 'string').slice(0, 10) : [];
  } catch {
    return [];
  }
}

async function remember(entry: RecentProject): Promise<void> {
  const list = [entry, ...(await readRecent()).filter((r) => r.path !== entry.path)].slice(0, 10);
  await mkdir(configDir(), { recursive: true });
  await writeFileAtomic(path.join(configDir(), 'recent.json'), JSON.stringify(list, null, 2));
}

export async function saveProject(p: string, project: ProjectFile): Promise<{ path: string; savedAt: string }> {
  const file = resolveProjectPath(p);
  const savedAt = new Date().toISOString();
  // Validate what we write exactly as we validate what we read.
  const checked = validateProject({ ...project, savedAt }, path.basename(file));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(checked, null, 2) + '\n');
  await remember({ path: file, name: checked.name, savedAt });
  return { path: file, savedAt };
}

export async function openProject(p: string): Promise<{ path: string; project: ProjectFile }> {
  const file = resolveProjectPath(p);
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ProjectError(code === 'ENOENT' ? `${file} does not exist.` : `Cannot read ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ProjectError(`${path.basename(file)} is damaged: it is not valid JSON (${(e as Error).message}).`);
  }
  const project = validateProject(json, path.basename(file));
  await remember({ path: file, name: project.name, savedAt: project.savedAt });
  return { path: file, project };
}

export async function recentProjects(): Promise<{ directory: string; recent: RecentProject[] }> {
  return { directory: projectsDir(), recent: await readRecent() };
}
