// A client for tests, the fuzzer and benches that talk to a web host the way a page (or an
// attacker) would: raw HTTP request lines, and a WebSocket that sends requests and collects events.
import net from 'node:net';
import WebSocket from 'ws';
import type { Events, Reply } from '../common/ipc/contract';

/** Sends bytes as they are (no URL normalisation, any request line) and returns the status code (0: no answer). */
export function rawRequest(port: number, text: string, timeoutMs = 5000): Promise<{ status: number; head: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const done = () => {
      socket.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      resolve({ status: m ? Number(m[1]) : 0, head: data.split('\r\n\r\n')[0] ?? '' });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (d) => {
      data += String(d);
      if (data.includes('\r\n\r\n')) {
        clearTimeout(timer);
        done();
      }
    });
    socket.on('error', () => {
      clearTimeout(timer);
      done();
    });
    socket.on('close', () => {
      clearTimeout(timer);
      done();
    });
    socket.write(text);
  });
}

export class TestSocket {
  private nextId = 1;
  readonly events: { event: keyof Events; payload: unknown }[] = [];
  private readonly waiters: { pred: (e: { event: keyof Events; payload: unknown }) => boolean; resolve: (p: unknown) => void }[] = [];
  private readonly replies = new Map<number, (r: Reply) => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      let msg: { kind?: string; id?: number; reply?: Reply; event?: keyof Events; payload?: unknown };
      try {
        msg = JSON.parse(String(data));
      } catch {
        return;
      }
      if (msg.kind === 'reply' && typeof msg.id === 'number') {
        this.replies.get(msg.id)?.(msg.reply!);
        this.replies.delete(msg.id);
      } else if (msg.kind === 'event' && msg.event) {
        const e = { event: msg.event, payload: msg.payload };
        this.events.push(e);
        for (const w of [...this.waiters]) {
          if (w.pred(e)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(e.payload);
          }
        }
      }
    });
  }

  static open(port: number, token: string, origin = `http://127.0.0.1:${port}`): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${encodeURIComponent(token)}`, { origin });
      ws.once('open', () => resolve(new TestSocket(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(String(res.statusCode))));
      ws.once('error', reject);
    });
  }

  request(channel: string, payload: unknown): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.replies.set(id, resolve);
      this.ws.send(JSON.stringify({ kind: 'request', id, channel, payload }));
    });
  }

  /** The value of a successful reply, or an error with the reply's code and message. */
  async call<T = unknown>(channel: string, payload: unknown): Promise<T> {
    const r = await this.request(channel, payload);
    if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
    return r.value as T;
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  next<E extends keyof Events>(event: E, pred: (p: Events[E]) => boolean = () => true, timeoutMs = 120_000): Promise<Events[E]> {
    const seen = this.events.find((e) => e.event === event && pred(e.payload as Events[E]));
    if (seen) return Promise.resolve(seen.payload as Events[E]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} event within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        pred: (e) => e.event === event && pred(e.payload as Events[E]),
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p as Events[E]);
        },
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}
