// The events of one job the page started (a run, a study, a transfer): the job's id is known only
// when the request that started it answers, and its first events may arrive before that answer
// (Electron's IPC keeps the engine's order: events emitted while starting come first). They are
// held until the id is known, then replayed in order; events of any other job are ignored.
export class JobEvents<E> {
  private id: string | null = null;
  private starting = false;
  private early: E[] = [];

  constructor(
    private readonly idOf: (e: E) => string,
    private readonly handle: (e: E) => void,
  ) {}

  /** The job in progress, once started. */
  get current(): string | null {
    return this.id;
  }

  /** Call right before the request that starts a job. */
  begin(): void {
    this.id = null;
    this.starting = true;
    this.early = [];
  }

  /** The start request answered with the job's id: events held so far are handled now. */
  started(id: string): void {
    this.id = id;
    this.starting = false;
    const early = this.early.filter((e) => this.idOf(e) === id);
    this.early = [];
    for (const e of early) this.handle(e);
  }

  /** The start request failed (or the job is forgotten): nothing more is handled. */
  reset(): void {
    this.id = null;
    this.starting = false;
    this.early = [];
  }

  /** Every event of the kind goes through here. */
  accept(e: E): void {
    if (this.starting && this.id === null) this.early.push(e);
    else if (this.id !== null && this.idOf(e) === this.id) this.handle(e);
  }
}
