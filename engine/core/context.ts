// What every engine service is handed by the composition root (engine/engine.ts): small parts,
// each with one job, so no service depends on the engine itself or on another service.
import type { AppInfo } from '../../common/ipc/contract';
import type { Places } from '../files/places';
import type { DataCache } from './data-cache';
import type { EventBus } from './event-bus';
import type { RunStore } from './run-store';
import type { Scheduler } from './scheduler';
import type { RemoteCompute } from '../compute/remote-compute';

export interface EngineContext {
  bus: EventBus;
  scheduler: Scheduler;
  runs: RunStore;
  data: DataCache;
  places: Places;
  host: AppInfo['host'];
  /** Pages' compute workers: where webgpu and webgl runs train. */
  compute: RemoteCompute;
}
