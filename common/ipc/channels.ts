// Contract channel names alone, without schemas, for the preload bundle (which must stay small
// and dependency-free in a sandboxed renderer). contract.ts checks that they match its schemas.
// Each domain (inspect, tuning) lists its own names in common/ipc/domains/*.channels.ts.
import { INSPECT_EVENTS, INSPECT_REQUESTS } from './domains/inspect.channels';
import { TUNING_EVENTS, TUNING_REQUESTS } from './domains/tuning.channels';

const CORE_REQUESTS = [
  'app.info',
  'templates.list',
  'datasets.list',
  'model.summary',
  'training.start',
  'training.pause',
  'training.resume',
  'training.stop',
  'model.predict',
  'project.save',
  'project.open',
  'project.recent',
  'model.describe',
  'model.predictImage',
  'model.examples',
  'backend.bench',
  'datasets.inspect',
  'datasets.cancel',
  'datasets.upload',
] as const;

export const REQUEST_CHANNEL_NAMES = [...CORE_REQUESTS, ...INSPECT_REQUESTS, ...TUNING_REQUESTS] as const;

export const EVENT_CHANNEL_NAMES = ['training.event', 'engine.status', 'dataset.progress', ...INSPECT_EVENTS, ...TUNING_EVENTS] as const;

/** Electron IPC channel names that carry the contract. */
export const IPC_REQUEST = 'glasswing:request';
export const IPC_EVENT = 'glasswing:event';
