// The class activation map of the chosen sample (method, class, target layer, opacity) and its
// sanity check. A change of method, class or layer invalidates the sanity report.
import type { CamReply, SanityReply } from '../../../../common/ipc/contract';
import { backend } from '../../lib/backend';
import { message, type InspectSelection } from './selection';
import { Ticket } from './ticket';

export class CamState {
  method = $state('gradcam');
  classIndex = $state<number | null>(null);
  layer = $state<string | null>(null);
  opacity = $state(0.5);
  reply = $state.raw<CamReply | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  sanity = $state.raw<SanityReply | null>(null);
  sanityLoading = $state(false);
  sanityError = $state<string | null>(null);

  private readonly ticket = new Ticket();

  constructor(private readonly selection: InspectSelection) {}

  /** The run's layers are known: a target layer or class it lacks falls back to automatic. */
  adopt(): void {
    const info = this.selection.info;
    if (!info) return;
    if (this.layer && !info.layers.some((l) => l.path === this.layer)) this.layer = null;
    if (this.classIndex != null && this.classIndex >= info.classes.length) this.classIndex = null;
  }

  clear(): void {
    this.reply = null;
    this.sanity = null;
  }

  /** Another sample: explain its own prediction, and forget the sanity report. */
  newSample(): void {
    this.classIndex = null;
    this.sanity = null;
  }

  async load(): Promise<void> {
    const { runId, sample, info } = this.selection;
    if (!runId || !sample || !info) return;
    if (!info.defaultTarget && !this.layer) {
      this.reply = null;
      this.error = info.noConvMessage;
      return;
    }
    const ok = this.ticket.next();
    this.loading = true;
    try {
      const c = await backend.invoke('inspect.cam', {
        runId,
        sample,
        method: this.method,
        ...(this.classIndex != null ? { classIndex: this.classIndex } : {}),
        ...(this.layer ? { layer: this.layer } : {}),
      });
      if (!ok()) return;
      this.reply = c;
      this.selection.showPrediction(c.sample);
      this.error = null;
    } catch (e) {
      if (ok()) {
        this.reply = null;
        this.error = message(e);
      }
    } finally {
      if (ok()) this.loading = false;
    }
  }

  setMethod(method: string): void {
    this.method = method;
    this.sanity = null;
    void this.load();
  }

  setClass(classIndex: number | null): void {
    this.classIndex = classIndex;
    this.sanity = null;
    void this.load();
  }

  setLayer(layer: string | null): void {
    this.layer = layer;
    this.sanity = null;
    void this.load();
  }

  async runSanity(): Promise<void> {
    const { runId, sample } = this.selection;
    if (!runId || !sample) return;
    this.sanityLoading = true;
    this.sanityError = null;
    try {
      this.sanity = await backend.invoke('inspect.sanity', {
        runId,
        sample,
        method: this.method,
        ...(this.reply ? { classIndex: this.reply.classIndex } : {}),
        ...(this.layer ? { layer: this.layer } : {}),
      });
    } catch (e) {
      this.sanityError = message(e);
    } finally {
      this.sanityLoading = false;
    }
  }
}
