// The error every host returns across the contract, never a raw exception. Kept apart from the
// schemas so the renderer and preload can use it without bundling the validator.
export type ErrorCode = 'unknown-channel' | 'invalid-payload' | 'forbidden-sender' | 'bad-input' | 'not-found' | 'engine-crashed' | 'internal';

export class ContractError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ContractError';
  }
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

