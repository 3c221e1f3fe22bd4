// The page's work, kept by the engine between page loads and app runs, as an editor's hot exit
// keeps it (engine/project/recovery-store.ts): written a second after each change while something
// is unsaved (model edits, finished runs not in a saved project) or a project is open, removed once
// neither is. A reload of this page continues where it was, without asking; unsaved work kept by a
// page that is no longer open (a crash, the app or browser closed) is offered to the next page, to
// continue or discard. Pages still open keep theirs (lib/open-pages.ts tells which are).
import { RECOVERY_ID_PATTERN, type UnsavedWorkSummary } from '../../../common/ipc/contract';
import { backend } from '../lib/backend';
import { OpenPages } from '../lib/open-pages';
import { graphState } from './graph.svelte';
import { runs } from './runs.svelte';
import { project, restoredMessage, unsavedWork } from './project.svelte';

const PAGE_ID_KEY = 'glasswing.pageId';
/** How long after a change the work is written (edits in a row are written once). */
const KEEP_DELAY_MS = 1000;

/** A new page id (randomUUID needs a secure context, which the web host's 127.0.0.1 and the desktop's pages are; random bytes do not). */
function newPageId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** This page's id: kept across reloads of the page (sessionStorage), new for each new page or window. */
function pageId(): string {
  const id = sessionStorage.getItem(PAGE_ID_KEY);
  if (id && RECOVERY_ID_PATTERN.test(id)) return id;
  return setPageId(newPageId());
}

function setPageId(id: string): string {
  sessionStorage.setItem(PAGE_ID_KEY, id);
  return id;
}

const unsavedIn = (k: UnsavedWorkSummary): boolean => k.dirty || k.unsavedRuns > 0;

class RecoveryState {
  /** This page's id (its slot's name); a duplicated tab takes a new one at start. */
  id = pageId();
  private readonly openPages = new OpenPages(() => this.id);
  /** Work kept by pages that are no longer open, newest first: offered until continued or discarded. */
  offered = $state<UnsavedWorkSummary[]>([]);
  /** The person put the offer aside for this page ("Later"). */
  hidden = $state(false);
  /** Set once the startup check is done (own work restored, others' listed). */
  ready = $state(false);
  /** What the last keep or restore did, when it needs saying. */
  message = $state<{ kind: 'ok' | 'error'; text: string } | null>(null);
  /** Whether this page's slot holds its work (so that saving or discarding removes it). */
  private kept = false;
  /** The last keep failed (the page's work is only in the page). */
  private failed = false;
  /** Keeps and drops run one after another, each deciding when it runs (a save during a slow keep still drops after it). */
  private writing: Promise<void> = Promise.resolve();
  private pending = false;

  /** Whether a reload would find this page's unsaved work as it is now (kept, nothing pending). */
  get upToDate(): boolean {
    return this.started && this.timer === null && !this.pending && !this.failed && this.kept;
  }
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Writes only after the startup check: a reload reads its slot before anything overwrites it. */
  private started = false;

  /**
   * Continues this page's own kept work (a reload; a duplicated tab continues a copy of its
   * original's under an id of its own) and lists the work of pages that are no longer open.
   * Call once the workbench has loaded.
   */
  async start(): Promise<void> {
    try {
      const [open, { kept }] = await Promise.all([this.openPages.others(), backend.invoke('project.listUnsaved', {})]);
      const own = this.id;
      // Another open page answers to this id: this tab is its copy, and needs a slot of its own.
      if (open.has(own)) this.id = setPageId(newPageId());
      if (kept.some((k) => k.id === own)) {
        this.kept = this.id === own;
        await this.restore(own);
      }
      this.offered = kept.filter((k) => k.id !== own && k.id !== this.id && !open.has(k.id) && unsavedIn(k));
    } catch {
      /* an engine without the store, or unreachable: the page works, only without recovery */
    }
    this.started = true;
    this.ready = true;
    this.changed();
  }

  /**
   * The page is going away (closed, reloaded): a keep still waiting for its second is sent now, so
   * that a save, an edit or a run finished in the last second is what the next page finds.
   */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      void this.keepNow();
    }
  }

  /** Something in the workspace changed: keep (or drop) this page's work shortly. */
  changed(): void {
    if (!this.started) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.keepNow(), KEEP_DELAY_MS);
  }

  /** Writes this page's work now, or removes its slot when nothing is unsaved and no project is open. */
  keepNow(): Promise<void> {
    this.timer = null;
    this.pending = true;
    this.writing = this.writing.then(() => this.write()).finally(() => (this.pending = false));
    return this.writing;
  }

  private async write(): Promise<void> {
    try {
      // A saved project is kept too (a reload reopens it), but only unsaved work is offered to other pages.
      if (graphState.dirty || runs.unsaved > 0 || project.path) {
        await backend.invoke('project.keepUnsaved', { id: this.id, project: project.toFile(project.name), path: project.path, dirty: graphState.dirty, unsavedRuns: runs.unsaved });
        this.kept = true;
        this.failed = false;
        if (this.message?.kind === 'error') this.message = null;
      } else if (this.kept) {
        await backend.invoke('project.dropUnsaved', { id: this.id });
        this.kept = false;
      }
    } catch (e) {
      this.failed = true;
      this.message = { kind: 'error', text: `Your unsaved work could not be kept for after a reload: ${(e as Error).message} Save the project to keep it.` };
    }
  }

  /** Continues a closed page's kept work here (this page's own unsaved work is asked about first). */
  async continueWith(id: string): Promise<void> {
    if (!(await this.stillClosed(id)) || !project.confirmDiscard()) return;
    if (await this.restore(id)) {
      // This page keeps it now, under its own id, before the other slot goes.
      await this.keepNow();
      await backend.invoke('project.dropUnsaved', { id }).catch(() => undefined);
      this.offered = this.offered.filter((k) => k.id !== id);
    }
  }

  /** Forgets a closed page's kept work, after asking. */
  async discard(id: string): Promise<void> {
    const k = this.offered.find((x) => x.id === id);
    if (!(await this.stillClosed(id))) return;
    if (k && !confirm(`Discard the unsaved work in “${k.name}” (${describeKept(k)})? This cannot be undone.`)) return;
    await backend.invoke('project.dropUnsaved', { id }).catch(() => undefined);
    this.offered = this.offered.filter((x) => x.id !== id);
  }

  /** False (and the offer withdrawn) when the page that kept `id` is open again (a closed tab reopened). */
  private async stillClosed(id: string): Promise<boolean> {
    if (!(await this.openPages.others()).has(id)) return true;
    this.offered = this.offered.filter((x) => x.id !== id);
    this.message = { kind: 'ok', text: 'That work is open again in another tab or window; it stays there.' };
    return false;
  }

  private async restore(id: string): Promise<boolean> {
    try {
      const r = await backend.invoke('project.readUnsaved', { id });
      const restored = await project.apply(r.project);
      project.path = r.path;
      project.name = r.project.name;
      graphState.dirty = r.dirty;
      runs.unsaved = r.unsavedRuns;
      project.message = restoredMessage(`Continued your work from ${when(r.keptAt)}`, restored);
      return true;
    } catch (e) {
      this.message = { kind: 'error', text: `That unsaved work could not be restored: ${(e as Error).message}` };
      return false;
    }
  }
}

/** "model changes and 2 finished runs", for a kept slot. */
export function describeKept(k: UnsavedWorkSummary): string {
  const parts: string[] = [];
  if (k.dirty) parts.push(`a model of ${k.layers} layer${k.layers === 1 ? '' : 's'} with unsaved changes`);
  if (k.unsavedRuns) parts.push(k.unsavedRuns === 1 ? '1 finished run' : `${k.unsavedRuns} finished runs`);
  return parts.join(' and ') || 'no unsaved changes';
}

/** A kept time as people read it: "today 14:05" or "2 Dec 14:05". */
export function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return 'an earlier session';
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === new Date().toDateString() ? `today ${time}` : `${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} ${time}`;
}

export const recovery = new RecoveryState();

// Every change to what a save would write, or to what is unsaved, schedules a keep.
$effect.root(() => {
  $effect(() => {
    void project.toFile(project.name);
    void project.path;
    void unsavedWork();
    recovery.changed();
  });
});
