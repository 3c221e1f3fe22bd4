// Leaving the window while the page objects (a run is training, or the last change is not yet kept
// for the next launch; App.svelte's beforeunload handler). A browser asks the person; Electron
// cancels the close or reload silently, which leaves a window that will not close and says nothing
// (Electron's will-prevent-unload). The desktop asks too, with a native dialog: Leave lets it go.
type Prevented = { preventDefault(): void };

export interface UnloadContents {
  on(event: 'will-prevent-unload', listener: (event: Prevented) => void): void;
}

/** What the person is asked; `ask` shows it and returns true for Leave. */
export const LEAVE_QUESTION = {
  type: 'question' as const,
  buttons: ['Leave', 'Stay'],
  defaultId: 1,
  cancelId: 1,
  title: 'Leave Glasswing?',
  message: 'A run is still training, or your last change is not yet kept.',
  detail: 'Leaving now stops a run that is training. Finished runs and saved projects are safe; unsaved work kept a second after each change comes back next time.',
};

export function askBeforeLeaving(contents: UnloadContents, ask: () => boolean): void {
  contents.on('will-prevent-unload', (event) => {
    // preventDefault here overrides the page's objection: the window closes or reloads.
    if (ask()) event.preventDefault();
  });
}
