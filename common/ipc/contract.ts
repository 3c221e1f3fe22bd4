// The one contract between the workbench UI and the engine, assembled from its domains (data,
// model, training, inspect, tuning, transfer, export, project, device; common/ipc/domains/).
// Electron's preload, the web host's WebSocket and in-memory tests all carry exactly these
// requests and events; the router validates every payload against the schemas here before
// anything reaches the engine. Request payload types are z.infer of their schemas; response and
// event types are declared once in their domain and used by the engine as they are.
import type { z } from 'zod';
import type { EventChannelName, RequestChannelName } from './channels';
import { EVENT_CHANNEL_NAMES, REQUEST_CHANNEL_NAMES } from './channels';
import { dataRequests, type DataEvents, type DataResponses } from './domains/data';
import { deviceRequests, type DeviceEvents, type DeviceResponses } from './domains/device';
import { exportRequests, type ExportResponses } from './domains/export';
import { inspectRequests, type InspectEvents, type InspectResponses } from './domains/inspect';
import { modelRequests, type ModelResponses } from './domains/model';
import { projectRequests, type ProjectResponses } from './domains/project';
import { trainingRequests, type TrainingEvents, type TrainingResponses } from './domains/training';
import { transferRequests, type TransferEvents, type TransferResponses } from './domains/transfer';
import { tuningRequests, type TuningEvents, type TuningResponses } from './domains/tuning';
import type { ErrorCode } from './errors';

export * from './domains/shared';
export * from './domains/training';
export * from './domains/data';
export * from './domains/model';
export * from './domains/device';
export * from './domains/project';
export * from './domains/export';
export * from './domains/transfer';
export * from './domains/tuning';
export * from './domains/inspect';
export { ContractError, type ErrorCode } from './errors';

/** Every request: its payload schema and (as a type) its response. */
export const requestSchemas = {
  ...deviceRequests,
  ...dataRequests,
  ...modelRequests,
  ...trainingRequests,
  ...inspectRequests,
  ...tuningRequests,
  ...transferRequests,
  ...exportRequests,
  ...projectRequests,
} as const satisfies Record<RequestChannelName, z.ZodType>;

export type RequestChannel = keyof typeof requestSchemas;
// Both lists name the same channels (a compile error otherwise).
const sameChannels: [RequestChannel] extends [RequestChannelName] ? ([RequestChannelName] extends [RequestChannel] ? true : never) : never = true;
void sameChannels;
export const REQUEST_CHANNELS: readonly RequestChannel[] = REQUEST_CHANNEL_NAMES;

export interface Responses
  extends DeviceResponses,
    DataResponses,
    ModelResponses,
    TrainingResponses,
    InspectResponses,
    TuningResponses,
    TransferResponses,
    ExportResponses,
    ProjectResponses {}

export type RequestPayload<C extends RequestChannel> = z.infer<(typeof requestSchemas)[C]>;
export type ResponseOf<C extends RequestChannel> = Responses[C];

export interface Events extends TrainingEvents, DeviceEvents, DataEvents, InspectEvents, TuningEvents, TransferEvents {}
export type EventChannel = keyof Events;
const sameEvents: [EventChannel] extends [EventChannelName] ? ([EventChannelName] extends [EventChannel] ? true : never) : never = true;
void sameEvents;
export const EVENT_CHANNELS: readonly EventChannel[] = EVENT_CHANNEL_NAMES;

export type Reply<T = unknown> = { ok: true; value: T } | { ok: false; error: { code: ErrorCode; message: string } };

/** A native file dialog's choices (the desktop app's; a browser has none). */
export interface FileDialogOptions {
  title: string;
  /** Choose a folder instead of a file. */
  folder?: boolean;
  /** File types offered, e.g. [{ name: 'Tables', extensions: ['csv', 'tsv'] }]. */
  filters?: { name: string; extensions: string[] }[];
  /** Save dialogs: the name offered. */
  defaultName?: string;
}

/**
 * What differs by host, as Netron's host split has it. The desktop app hands the engine real paths
 * (files dropped or picked, native open and save dialogs); a browser page cannot, and uploads.
 */
/** Where the page's compute worker (WebGPU/WebGL training) reaches the engine. */
export type ComputeEndpoint = { kind: 'port'; port: MessagePort } | { kind: 'socket'; url: string };

export interface Platform {
  kind: 'desktop' | 'web';
  /** A fresh connection for the compute worker to the engine, or null when the host offers none. */
  computeEndpoint(): Promise<ComputeEndpoint | null>;
  /** The path of a file the person dropped or picked, or null where the host cannot tell (a browser). */
  pathForFile(file: File): string | null;
  /** A native open dialog: the chosen path, or null when cancelled. Absent in a browser. */
  openDialog?(options: FileDialogOptions): Promise<string | null>;
  /** A native save dialog (it asks before replacing a file): the chosen path, or null. Absent in a browser. */
  saveDialog?(options: FileDialogOptions): Promise<string | null>;
}

/** What the renderer depends on; Electron, the web host and tests each implement it. */
export interface Backend {
  invoke<C extends RequestChannel>(channel: C, payload: RequestPayload<C>): Promise<ResponseOf<C>>;
  on<E extends EventChannel>(event: E, listener: (payload: Events[E]) => void): () => void;
  /** Follows runs, studies or imports this page did not start (their events reach it). */
  follow(keys: string[]): void;
  platform: Platform;
}

/**
 * The key an event belongs to (a run, study or transfer id, a dataset ref), or null for events
 * every page receives. A web page gets keyed events only for the keys it follows.
 */
export function eventKey<E extends EventChannel>(event: E, payload: Events[E]): string | null {
  const p = payload as Record<string, unknown>;
  switch (event) {
    case 'training.event':
    case 'inspect.snapshot':
      return String(p['runId']);
    case 'tuning.trial':
    case 'tuning.epoch':
    case 'tuning.finished':
      return String(p['studyId']);
    case 'transfer.event':
      return String(p['transferId']);
    case 'dataset.progress':
      return String(p['ref']);
    default:
      return null;
  }
}
