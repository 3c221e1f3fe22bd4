// The one kind of error that means "what you gave is wrong" (a file, a row, a layer, a flag): its
// message is shown as it is, in the UI and as the CLI's one line, with exit code 2. Each area
// names its own subclass so stack traces say where it came from.
export class BadInputError extends Error {
  readonly code = 'bad-input' as const;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
