// The engine's composition root: it builds the small parts every service shares — the event bus,
// the scheduler that gives the TF.js engine to one job at a time, the run store and the data
// cache, the Places policy for file paths — and hands them to one service per contract domain.
// Hosts (the engine process, the CLI, tests) own an Engine, route requests to `handlers` and
// forward its events; no service imports this file.
import { randomBytes } from 'node:crypto';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { AppInfo, Prediction, RequestPayload } from '../common/ipc/contract';
import type { Handlers } from '../common/ipc/router';
import type { LoadOptions } from './datasets/load';
import { saveModel, type GlasswingMetadata } from './model-io';
import { Places } from './files/places';
import { createEventBus, type EventBus, type EventSink } from './core/event-bus';
import { createScheduler, type Scheduler } from './core/scheduler';
import { DataCache } from './core/data-cache';
import { RunStore } from './core/run-store';
import type { RunRecord } from './core/run-record';
import type { EngineContext } from './core/context';
import { RemoteCompute } from './compute/remote-compute';
import type { ComputeLink } from './compute/compute-link';
import { dataHandlers } from './services/data-service';
import { deviceHandlers } from './services/device-service';
import { exportHandlers } from './services/export-service';
import { inspectHandlers } from './services/inspect-service';
import { modelHandlers, predictRaw } from './services/model-service';
import { projectHandlers } from './services/project-service';
import { trainingService, type TrainingService } from './services/training-service';
import { transferHandlers } from './services/transfer-service';
import { tuningHandlers } from './services/tuning-service';

export type { EventSink } from './core/event-bus';
export type { RunRecord } from './core/run-record';

export interface EngineOptions {
  /** Where the engine may read and write (default: open, for the CLI and tests). */
  places?: Places;
  /** Persist finished runs under the Glasswing folder's runs/ (the engine process does). */
  persistRuns?: boolean;
  /** The host session this engine serves: a restarted engine lists the session's runs again. */
  session?: string;
  /** Finished runs held in memory at once. */
  maxLoadedRuns?: number;
}

export class Engine {
  readonly bus: EventBus;
  readonly scheduler: Scheduler;
  readonly data: DataCache;
  readonly runs: RunStore;
  readonly places: Places;
  readonly compute: RemoteCompute;
  readonly handlers: Handlers;
  private readonly training: TrainingService;

  constructor(sink: EventSink, host: AppInfo['host'] = 'memory', datasetOptions: LoadOptions = {}, options: EngineOptions = {}) {
    this.places = options.places ?? new Places();
    this.bus = createEventBus(sink);
    this.scheduler = createScheduler();
    this.data = new DataCache(datasetOptions, this.places);
    this.runs = new RunStore(this.data, {
      dir: options.persistRuns ? this.places.runs : null,
      session: options.session ?? randomBytes(6).toString('hex'),
      ...(options.maxLoadedRuns ? { maxLoaded: options.maxLoadedRuns } : {}),
    });
    this.compute = new RemoteCompute();
    this.compute.onChange(() => this.bus.emit('device.changed', { reason: this.compute.report ? 'a page offers GPU compute' : 'no page offers GPU compute' }));
    const ctx: EngineContext = { bus: this.bus, scheduler: this.scheduler, runs: this.runs, data: this.data, places: this.places, host, compute: this.compute };
    this.training = trainingService(ctx);
    this.handlers = {
      ...deviceHandlers(ctx),
      ...dataHandlers(ctx),
      ...modelHandlers(ctx),
      ...this.training.handlers,
      ...inspectHandlers(ctx),
      ...tuningHandlers(ctx),
      ...transferHandlers(ctx),
      ...exportHandlers(ctx),
      ...projectHandlers(ctx),
    };
  }

  /** A page's compute worker connected (over a MessagePort or the web host's socket). */
  attachCompute(link: ComputeLink): void {
    this.compute.attach(link);
  }

  /** Checks and queues a run; its record comes back at once, training follows (see record.done). */
  startTraining(payload: RequestPayload<'training.start'>): Promise<RunRecord> {
    return this.training.start(payload);
  }

  /** Saves a run's model folder (model.json, weights.bin and `extra` files) as one unit. */
  async saveRun(runId: string, dir: string, extra: Record<string, string | Uint8Array> = {}): Promise<void> {
    const r = await this.runs.ended(runId);
    await saveModel(r.model, dir, r.metadata, extra);
  }

  /** Raw inputs in, class probabilities out: the model's own preprocessing is applied. */
  predictRaw(model: tfl.LayersModel, metadata: GlasswingMetadata, inputs: (number | string | null)[][]): Prediction {
    return predictRaw(model, metadata, inputs);
  }
}
