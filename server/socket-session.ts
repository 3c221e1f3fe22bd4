// One page's WebSocket: requests go through the router (with the page's origin as the sender),
// replies come back with their ids, and events reach the page only for the runs, studies,
// transfers and imports it follows — the ones it started, or named with 'session.follow' — so a page
// is not sent every other page's progress. This is not access control: every page holds the same
// token and may list, follow, stop or export any run (the token is the trust boundary). Every
// handler here has an error boundary.
import type { WebSocket } from 'ws';
import type { Events, Reply } from '../common/ipc/contract';
import type { Router } from '../common/ipc/router';

/** Keys one page may follow at once (a page follows a handful of runs; this only bounds memory). */
const MAX_FOLLOWED = 2000;

/**
 * Keyed events the page does not follow are held this long (and at most this many), so the first
 * events of a run it just started — sent before the reply that tells it the run's id — still reach it.
 */
const RECENT_MS = 10_000;
const RECENT_MAX = 200;

/** The channels whose reply names a key the page then follows. */
const FOLLOW_ON_REPLY: Record<string, string> = { 'training.start': 'runId', 'tuning.start': 'studyId', 'transfer.start': 'transferId' };

export class SocketSession {
  private readonly following = new Set<string>();
  private recent: { key: string; at: number; message: unknown }[] = [];

  constructor(
    private readonly ws: WebSocket,
    private readonly router: Router,
    private readonly origin: string,
    private readonly log: (line: string) => void,
  ) {
    ws.on('error', (e) => log(`socket: ${e.message}`));
    ws.on('message', (data, isBinary) => {
      this.onMessage(isBinary ? null : String(data)).catch((e: unknown) => log(`socket message failed: ${(e as Error).message}`));
    });
  }

  private send(message: unknown): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    try {
      this.ws.send(JSON.stringify(message));
    } catch (e) {
      this.log(`socket send failed: ${(e as Error).message}`);
    }
  }

  /** Follows `key`; returns the held events of it, to send after the reply that named it. */
  private follow(key: unknown): unknown[] {
    if (typeof key !== 'string' || !key) return [];
    if (this.following.size >= MAX_FOLLOWED) this.following.delete(this.following.values().next().value!);
    this.following.add(key);
    const held = this.recent.filter((r) => r.key === key).map((r) => r.message);
    this.recent = this.recent.filter((r) => r.key !== key);
    return held;
  }

  private async onMessage(text: string | null): Promise<void> {
    let msg: unknown;
    try {
      msg = text === null ? undefined : JSON.parse(text);
    } catch {
      msg = undefined;
    }
    const m = msg as { kind?: unknown; id?: unknown; channel?: unknown; payload?: unknown } | null | undefined;
    if (typeof m !== 'object' || m === null || m.kind !== 'request' || typeof m.id !== 'number' || !Number.isSafeInteger(m.id)) {
      this.send({ kind: 'reply', id: typeof m?.id === 'number' ? m.id : null, reply: { ok: false, error: { code: 'invalid-payload', message: 'Messages must be JSON objects {kind: "request", id: <number>, channel, payload}.' } } });
      return;
    }
    const channel = m.channel;
    const payload = m.payload as Record<string, unknown> | null | undefined;
    if (channel === 'session.follow' && payload && Array.isArray(payload['keys'])) {
      // Answered here (validated by the router first): the engine has no idea which page is which.
      const checked = await this.router.handle(channel, payload, { origin: this.origin });
      const held = checked.ok ? (payload['keys'] as unknown[]).flatMap((k) => this.follow(k)) : [];
      this.send({ kind: 'reply', id: m.id, reply: checked.ok ? { ok: true, value: { following: this.following.size } } : checked });
      for (const message of held) this.send(message);
      return;
    }
    // An import's progress arrives before its reply: follow the dataset from the request on.
    if (channel === 'datasets.inspect' && payload && typeof payload['ref'] === 'string') this.follow(payload['ref']);
    const reply: Reply = await this.router.handle(channel, payload, { origin: this.origin });
    const keyField = typeof channel === 'string' ? FOLLOW_ON_REPLY[channel] : undefined;
    const held = reply.ok && keyField ? this.follow((reply.value as Record<string, unknown>)?.[keyField]) : [];
    this.send({ kind: 'reply', id: m.id, reply });
    for (const message of held) this.send(message);
  }

  /** Sends an event if the page follows its key (keyless events go to every page). */
  event<E extends keyof Events>(event: E, payload: Events[E], key: string | null): void {
    const message = { kind: 'event', event, payload };
    if (key === null || this.following.has(key)) return this.send(message);
    const now = Date.now();
    this.recent = this.recent.filter((r) => now - r.at < RECENT_MS).slice(-(RECENT_MAX - 1));
    this.recent.push({ key, at: now, message });
  }

  terminate(): void {
    this.ws.terminate();
  }
}
