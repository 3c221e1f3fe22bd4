// Which Glasswing pages are open now in this browser or desktop app: each page answers a question
// on a BroadcastChannel (same origin only) with its page id. Work kept by a page that is still
// open is that page's own, never offered to another; and a page whose id another page answers to
// is a duplicated tab (the browser copied its sessionStorage, page id included), which must take
// an id of its own. Pages of an earlier run of the web host have another origin (another port),
// and their engine is gone with that run: they do not count as open.
const CHANNEL = 'glasswing-open-pages';

interface Question { type: 'who'; nonce: string }
interface Answer { type: 'here'; nonce: string; id: string }

export class OpenPages {
  private readonly channel: BroadcastChannel | null = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;

  /** `id` gives this page's current id (it can change once, for a duplicated tab). */
  constructor(private readonly id: () => string) {
    this.channel?.addEventListener('message', (e: MessageEvent<Question>) => {
      if (e.data?.type === 'who' && typeof e.data.nonce === 'string') this.channel!.postMessage({ type: 'here', nonce: e.data.nonce, id: this.id() } satisfies Answer);
    });
  }

  /** The ids of the other open pages: those that answer within `waitMs` (they answer in a few ms unless busy). */
  async others(waitMs = 300): Promise<Set<string>> {
    const ids = new Set<string>();
    if (!this.channel) return ids;
    const nonce = Math.random().toString(36).slice(2);
    const listen = (e: MessageEvent<Answer>) => {
      if (e.data?.type === 'here' && e.data.nonce === nonce && typeof e.data.id === 'string') ids.add(e.data.id);
    };
    this.channel.addEventListener('message', listen);
    this.channel.postMessage({ type: 'who', nonce } satisfies Question);
    await new Promise((r) => setTimeout(r, waitMs));
    this.channel.removeEventListener('message', listen);
    return ids;
  }
}
