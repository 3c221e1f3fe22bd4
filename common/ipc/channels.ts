// Contract channel names alone, by domain, without schemas: the preload bundle imports only this
// (it must stay small and dependency-free in a sandboxed renderer). contract.ts checks at compile
// time that these are exactly the channels its schemas define.
export const REQUEST_CHANNELS_BY_DOMAIN = {
  device: ['app.info', 'backend.bench', 'session.follow'],
  data: ['datasets.list', 'datasets.inspect', 'datasets.cancel', 'datasets.upload'],
  model: ['templates.list', 'model.summary', 'model.predict', 'model.describe', 'model.predictImage', 'model.examples'],
  training: ['training.start', 'training.pause', 'training.resume', 'training.stop', 'runs.list', 'runs.rename'],
  inspect: [
    'inspect.runs',
    'inspect.layers',
    'inspect.samples',
    'inspect.featureMaps',
    'inspect.filters',
    'inspect.cam',
    'inspect.audit',
    'inspect.sanity',
    'inspect.pin',
    'inspect.snapshots',
  ],
  tuning: ['tuning.start', 'tuning.stop', 'tuning.list', 'tuning.open'],
  transfer: ['transfer.backbones', 'transfer.start', 'transfer.stop'],
  export: ['export.model'],
  project: ['project.save', 'project.open', 'project.recent', 'project.keepUnsaved', 'project.dropUnsaved', 'project.listUnsaved', 'project.readUnsaved'],
} as const;

type ChannelsOf<T> = T[keyof T] extends readonly (infer C)[] ? C : never;
export type RequestChannelName = ChannelsOf<typeof REQUEST_CHANNELS_BY_DOMAIN>;

export const REQUEST_CHANNEL_NAMES: readonly RequestChannelName[] = Object.values(REQUEST_CHANNELS_BY_DOMAIN).flat();

export const EVENT_CHANNEL_NAMES = [
  'training.event',
  'engine.status',
  'device.changed',
  'dataset.progress',
  'inspect.snapshot',
  'tuning.trial',
  'tuning.epoch',
  'tuning.finished',
  'transfer.event',
] as const;
export type EventChannelName = (typeof EVENT_CHANNEL_NAMES)[number];

/** Electron IPC channel names that carry the contract. */
export const IPC_REQUEST = 'glasswing:request';
export const IPC_EVENT = 'glasswing:event';
/** The desktop's native dialogs (not part of the engine contract: main answers them itself). */
export const IPC_DIALOG = 'glasswing:dialog';
/** A MessagePort between the engine and the page's compute worker (main creates the pair). */
export const IPC_COMPUTE_PORT = 'glasswing:compute-port';
/** The tag of the window message that hands the port from the preload to the page. */
export const COMPUTE_PORT_MESSAGE = 'glasswing:compute-port';
