// One router for every host (Electron main and the web host): it checks channel, sender and
// payload before a handler runs, and turns every failure into a typed ContractError reply.
import { ContractError, requestSchemas, type Reply, type RequestChannel, type RequestPayload, type ResponseOf } from './contract';

export type Handlers = { [C in RequestChannel]: (payload: RequestPayload<C>) => Promise<ResponseOf<C>> };

export interface Sender {
  /** Where the message came from: a file:// or http://127.0.0.1 origin, or an id. */
  origin: string;
}

export interface RouterOptions {
  /** Returns false for senders that must never reach the engine (foreign frames, other origins). */
  isTrustedSender(sender: Sender): boolean;
}

function isChannel(channel: unknown): channel is RequestChannel {
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
        throw new ContractError('forbidden-sender', `Messages from ${sender.origin} are not accepted.`);
      }
      if (!isChannel(channel)) {
        throw new ContractError('unknown-channel', `Unknown channel ${JSON.stringify(String(channel)).slice(0, 120)}.`);
      }
      const parsed = requestSchemas[channel].safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue && issue.path.length ? ` at ${issue.path.join('.')}` : '';
        throw new ContractError('invalid-payload', `Malformed payload for ${channel}${where}: ${issue?.message ?? 'invalid'}.`);
      }
      const handler = this.handlers[channel] as (p: unknown) => Promise<unknown> | unknown;
      return { ok: true, value: await handler(parsed.data) };
    } catch (e) {
      if (e instanceof ContractError) return { ok: false, error: e.toJSON() };
      const err = e as { code?: unknown; message?: unknown };
      if (typeof err?.code === 'string' && typeof err?.message === 'string' && err.code !== 'internal' && isKnownCode(err.code)) {
        return { ok: false, error: { code: err.code, message: err.message } };
      }
      return { ok: false, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
    }
  }
}

function isKnownCode(code: string): code is ContractError['code'] {
  return ['unknown-channel', 'invalid-payload', 'forbidden-sender', 'bad-input', 'not-found', 'engine-crashed'].includes(code);
}

/** Unwraps a reply on the calling side, throwing the ContractError it carries. */
export function unwrapReply<T>(reply: Reply<T>): T {
  if (reply.ok) return reply.value;
  throw new ContractError(reply.error.code, reply.error.message);
}
