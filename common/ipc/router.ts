// One router for every host (Electron main, the web host, the engine process, the CLI's in-memory
// engine): it checks channel, sender and payload before a handler runs, and it is the one place
// where an exception becomes a contract error — engine code only throws typed errors
// (common/bad-input.ts), and anything else is reported as 'internal'.
import { ContractError, requestSchemas, type Reply, type RequestChannel, type RequestPayload, type ResponseOf } from './contract';
import type { ErrorCode } from './errors';
import { MAX_NESTING, nestsDeeperThan } from './nesting';

export type Handlers = { [C in RequestChannel]: (payload: RequestPayload<C>) => Promise<ResponseOf<C>> };

export interface Sender {
  /** Where the message came from: a file:// or http://127.0.0.1 origin, or an id. */
  origin: string;
}

export interface RouterOptions {
  /** Returns false for senders that must never reach the engine (foreign frames, other origins). */
  isTrustedSender(sender: Sender): boolean;
  /**
   * Payloads were already validated by the router in front of this one (the engine process behind
   * a host): check the channel, skip the schema. Errors are still mapped here.
   */
  trustPayloads?: boolean;
}

const PASSED_ON: readonly ErrorCode[] = ['unknown-channel', 'invalid-payload', 'forbidden-sender', 'bad-input', 'not-found', 'engine-crashed'];

/** The contract error for any exception: typed errors keep their code and message; the rest is 'internal'. */
export function toContractError(e: unknown): ContractError {
  if (e instanceof ContractError) return e;
  const err = e as { code?: unknown; message?: unknown } | null;
  if (typeof err?.code === 'string' && typeof err?.message === 'string' && (PASSED_ON as readonly string[]).includes(err.code)) {
    return new ContractError(err.code as ErrorCode, err.message);
  }
  return new ContractError('internal', e instanceof Error ? e.message : String(e));
}

export function isChannel(channel: unknown): channel is RequestChannel {
  return typeof channel === 'string' && Object.prototype.hasOwnProperty.call(requestSchemas, channel);
}

export class Router {
  constructor(
    private readonly handlers: Handlers,
    private readonly options: RouterOptions,
  ) {}

  async handle(channel: unknown, payload: unknown, sender: Sender): Promise<Reply> {
    try {
      if (!this.options.isTrustedSender(sender)) {
        throw new ContractError('forbidden-sender', `Messages from ${String(sender.origin).slice(0, 200)} are not accepted.`);
      }
      if (!isChannel(channel)) {
        throw new ContractError('unknown-channel', `Unknown channel ${JSON.stringify(String(channel)).slice(0, 120)}.`);
      }
      let data = payload;
      if (!this.options.trustPayloads) {
        if (nestsDeeperThan(payload, MAX_NESTING)) throw new ContractError('invalid-payload', `Malformed payload for ${channel}: it nests more than ${MAX_NESTING} levels deep.`);
        const parsed = requestSchemas[channel].safeParse(payload);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const where = issue && issue.path.length ? ` at ${issue.path.join('.')}` : '';
          throw new ContractError('invalid-payload', `Malformed payload for ${channel}${where}: ${issue?.message ?? 'invalid'}.`);
        }
        data = parsed.data;
      }
      const handler = this.handlers[channel] as (p: unknown) => Promise<unknown> | unknown;
      return { ok: true, value: await handler(data) };
    } catch (e) {
      return { ok: false, error: toContractError(e).toJSON() };
    }
  }
}

/** Unwraps a reply on the calling side, throwing the ContractError it carries. */
export function unwrapReply<T>(reply: Reply<T>): T {
  if (reply.ok) return reply.value;
  throw new ContractError(reply.error.code, reply.error.message);
}
