// The device domain: what this Glasswing is, which backends it can train on (and why not, where
// not), and a short benchmark of one backend. 'session.follow' is the host's to answer (a web
// page follows the runs it started); the engine itself sends every event to its one host.
import type { Handlers } from '../../common/ipc/router';
import { BadInputError } from '../../common/bad-input';
import { listBackends } from '../backends';
import { runBench } from '../bench/bench';
import type { EngineContext } from '../core/context';

declare const GLASSWING_VERSION: string | undefined;
export const VERSION = typeof GLASSWING_VERSION === 'string' ? GLASSWING_VERSION : '0.1.0';

export type DeviceHandlers = Pick<Handlers, 'app.info' | 'backend.bench' | 'session.follow'>;

export function deviceHandlers(ctx: EngineContext): DeviceHandlers {
  return {
    'app.info': async () => ({ name: 'Glasswing', version: VERSION, host: ctx.host, enginePid: process.pid, backends: listBackends() }),
    'backend.bench': async ({ backend, seconds }) =>
      ctx.scheduler.exclusive(async () => {
        const status = listBackends().find((b) => b.name === backend);
        if (!status?.available) throw new BadInputError(`The ${backend} backend is not available: ${status?.reason ?? 'unknown'}.`);
        const report = await runBench({ models: ['lenet5'], backends: [backend], seconds: seconds / 2, pytorch: false, epochSamples: 0 });
        const row = report.results[0];
        if (!row) throw new Error(`The ${backend} backend produced no measurement.`);
        return { backend, device: status.device ?? backend, model: 'lenet5', trainSamplesPerSec: row.trainSamplesPerSec, inferSamplesPerSec: row.inferSamplesPerSec };
      }),
    'session.follow': async ({ keys }) => ({ following: keys.length }),
  };
}
