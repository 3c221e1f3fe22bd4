// The errors engine code throws on purpose. Each carries the contract error code it stands for, so
// the router (common/ipc/router.ts) — the one place that maps errors — can pass it on as it is; any
// other exception becomes 'internal'. Messages are written for the person using Glasswing: the UI
// shows them as they are and the CLI prints them as its one line (exit code 2 for bad input).

/** What you gave is wrong (a file, a row, a layer, a flag). Each area names its own subclass. */
export class BadInputError extends Error {
  readonly code: 'bad-input' | 'not-found' = 'bad-input';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** What you named does not exist (a run, a study, a file): the contract's 'not-found'. */
export class NotFoundError extends BadInputError {
  override readonly code = 'not-found' as const;
}

/** Work stopped because you asked for it (an import cancelled, a run stopped before it began). */
export class CancelledError extends BadInputError {}
