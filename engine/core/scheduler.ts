// Jobs that use the TF.js engine take turns: training runs, tuning trials, transfer learning and
// long inspections (the shortcut audit, Score-CAM). TF.js has one global backend and one tape, so
// two of them at once would race for both. A job is queued at once and starts when the ones
// before it end; a queued job can be cancelled before it starts.
import { CancelledError } from '../../common/bad-input';

export interface QueuedJob<T> {
  /** Settles when the job has run (or with CancelledError when it was cancelled before starting). */
  result: Promise<T>;
  /** How many jobs were ahead of this one when it was queued (0: it starts now). */
  position: number;
  /** Takes the job out of the queue if it has not started; returns whether it had. */
  cancel(reason?: string): boolean;
}

export interface Scheduler {
  /** Queues `job`; it runs alone on the TF.js engine after every job queued before it. */
  enqueue<T>(job: () => Promise<T>): QueuedJob<T>;
  /** enqueue(job).result: for callers that simply wait for their turn. */
  exclusive<T>(job: () => Promise<T>): Promise<T>;
  /** Jobs queued or running. */
  readonly pending: number;
}

export function createScheduler(): Scheduler {
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  const scheduler: Scheduler = {
    enqueue<T>(job: () => Promise<T>): QueuedJob<T> {
      const position = pending;
      pending++;
      let cancelled: string | null = null;
      let started = false;
      const previous = tail;
      const result = previous.then(async () => {
        if (cancelled !== null) throw new CancelledError(cancelled);
        started = true;
        return job();
      });
      const settled = result.then(
        () => undefined,
        () => undefined,
      );
      tail = settled;
      void settled.then(() => pending--);
      return {
        result,
        position,
        cancel(reason = 'It was cancelled before it started.') {
          if (started || cancelled !== null) return false;
          cancelled = reason;
          return true;
        },
      };
    },
    exclusive(job) {
      return scheduler.enqueue(job).result;
    },
    get pending() {
      return pending;
    },
  };
  return scheduler;
}
