// The engine's one event stream. Services emit contract events here; observers inside the engine
// see each event first, synchronously (live inspection snapshots are taken between epochs this
// way), then the host's sink forwards it to the UI.
import type { Events } from '../../common/ipc/contract';

export type EventSink = <E extends keyof Events>(event: E, payload: Events[E]) => void;

export interface EventBus {
  emit: EventSink;
  /** Lets a service see every event before the host does. Returns a function that stops it. */
  observe(observer: EventSink): () => void;
}

export function createEventBus(sink: EventSink): EventBus {
  const observers = new Set<EventSink>();
  return {
    emit(event, payload) {
      for (const observe of observers) {
        try {
          observe(event, payload);
        } catch {
          // An observer's failure (a snapshot that cannot be taken) must never stop the event itself.
        }
      }
      sink(event, payload);
    },
    observe(observer) {
      observers.add(observer);
      return () => observers.delete(observer);
    },
  };
}
