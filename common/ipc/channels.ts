// Contract channel names alone, without schemas, for the preload bundle (which must stay small
// and dependency-free in a sandboxed renderer). contract.ts checks that they match its schemas.
export const REQUEST_CHANNEL_NAMES = [
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
] as const;

export const EVENT_CHANNEL_NAMES = ['training.event', 'engine.status'] as const;

/** Electron IPC channel names that carry the contract. */
export const IPC_REQUEST = 'glasswing:request';
export const IPC_EVENT = 'glasswing:event';
