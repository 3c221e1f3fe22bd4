// The engine's view of GPU compute: the pages' compute workers that are connected, what each can
// do (its report: adapter, backends, reasons), and the runs and timings it has been given. The
// newest worker that said hello is the one used (the page opened last); a worker that goes away
// ends its run (see RemoteTrainingRun.linkLost) and another connected page takes over for the next.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { BackendStatus } from '../../common/ipc/contract';
import { parseFromWorker, type ComputeReport, type EpochEvent, type GpuBackend, type LoopEvent, type TimeRequest, type TrainJob } from '../../compute/protocol';
import type { StepTiming } from '../../compute/step-timer';
import type { ComputeLink } from './compute-link';
import { RemoteTrainingRun } from './remote-training-run';

interface Worker {
  link: ComputeLink;
  report: ComputeReport;
  /** The page said it is closing: losing this link is a clean stop, not a failure. */
  closing: boolean;
  runs: Map<string, RemoteTrainingRun>;
  timings: Map<number, { resolve: (t: StepTiming) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>;
}

/** Why GPU backends are unavailable when no worker is connected. */
export const NO_WORKER_REASON =
  'no page is connected to compute on: WebGPU and WebGL training run in the app window or in the web host’s page (open it); the CLI alone trains on cpu, wasm or tensorflow';

export class RemoteCompute {
  private readonly workers: Worker[] = [];
  private nextTiming = 1;
  private readonly changeListeners: (() => void)[] = [];

  constructor(private readonly log: (line: string) => void = (l) => process.stderr.write(`glasswing engine: ${l}\n`)) {}

  /** Called when workers come and go (the device panel and the Train view's choices change). */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  private changed(): void {
    for (const l of this.changeListeners) l();
  }

  /** A new link: it counts once its worker has said hello with its report. */
  attach(link: ComputeLink): void {
    let worker: Worker | null = null;
    link.onMessage((raw) => {
      const m = parseFromWorker(raw);
      if (!m) {
        this.log(`compute link ${link.id}: dropped a message that is not part of the protocol`);
        return;
      }
      if (m.type === 'hello') {
        if (!worker) {
          worker = { link, report: m.report, closing: false, runs: new Map(), timings: new Map() };
          this.workers.push(worker);
        } else worker.report = m.report;
        this.changed();
        return;
      }
      if (!worker) return;
      if (m.type === 'closing') worker.closing = true;
      else if (m.type === 'timed') {
        const t = worker.timings.get(m.id);
        if (!t) return;
        worker.timings.delete(m.id);
        clearTimeout(t.timer);
        if (m.error || m.trainMsPerStep === undefined) t.reject(new Error(m.error ?? 'no measurement'));
        else t.resolve({ trainMsPerStep: m.trainMsPerStep, inferMsPerStep: m.inferMsPerStep ?? NaN, firstStepMs: m.firstStepMs ?? NaN });
      } else {
        const runId = m.type === 'event' || m.type === 'epoch' ? m.event.runId : m.runId;
        worker.runs.get(runId)?.receive(m);
        if (m.type === 'done' || m.type === 'failed') worker.runs.delete(runId);
      }
    });
    link.onClose(() => {
      if (!worker) return;
      const w = worker;
      const i = this.workers.indexOf(w);
      if (i >= 0) this.workers.splice(i, 1);
      for (const run of w.runs.values()) run.linkLost(w.closing);
      w.runs.clear();
      for (const t of w.timings.values()) {
        clearTimeout(t.timer);
        t.reject(new Error('the page computing it closed'));
      }
      w.timings.clear();
      this.changed();
    });
  }

  private current(): Worker | null {
    return this.workers.at(-1) ?? null;
  }

  get report(): ComputeReport | null {
    return this.current()?.report ?? null;
  }

  /** webgpu and webgl as the device panel and the Train view list them. */
  statuses(): BackendStatus[] {
    const report = this.report;
    return (['webgpu', 'webgl'] as const).map((name) => {
      const b = report?.backends.find((x) => x.name === name);
      if (!report || !b) return { name, available: false, reason: NO_WORKER_REASON };
      return {
        name,
        available: b.available,
        ...(b.reason ? { reason: b.reason } : {}),
        ...(b.device ? { device: b.device } : {}),
        notes: b.notes,
      };
    });
  }

  /** The worker's status of one GPU backend, or why it cannot be used. */
  usable(name: GpuBackend): { ok: true; software: boolean; device: string; maxBufferBytes: number } | { ok: false; reason: string } {
    const b = this.report?.backends.find((x) => x.name === name);
    if (!this.current() || !b) return { ok: false, reason: NO_WORKER_REASON };
    if (!b.available) return { ok: false, reason: b.reason ?? 'the page reported it unavailable' };
    return { ok: true, software: !!b.software, device: b.device ?? name, maxBufferBytes: b.maxBufferBytes };
  }

  /** Starts a run on the current worker. */
  train(job: TrainJob, model: tfl.LayersModel, onEvent: (event: LoopEvent | EpochEvent) => void): RemoteTrainingRun {
    const worker = this.current();
    if (!worker) throw new Error(NO_WORKER_REASON);
    const run = new RemoteTrainingRun(worker.link, job, model, onEvent);
    worker.runs.set(job.runId, run);
    return run;
  }

  /** Times training steps of a model on the current worker (for `auto` and the device panel). */
  time(request: Omit<TimeRequest, 'id'>, timeoutMs = 120_000): Promise<StepTiming> {
    const worker = this.current();
    if (!worker) return Promise.reject(new Error(NO_WORKER_REASON));
    const id = this.nextTiming++;
    return new Promise<StepTiming>((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.timings.delete(id);
        reject(new Error(`no answer from the page's compute worker in ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      worker.timings.set(id, { resolve, reject, timer });
      worker.link.send({ type: 'time', id, ...request });
    });
  }
}
