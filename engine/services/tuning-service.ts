// Engine handlers of the tuning domain of the contract.
import type { Handlers } from '../../common/ipc/router';
import type { TUNING_REQUESTS } from '../../common/ipc/domains/tuning.channels';
import type { Engine } from '../engine';

export type TuningHandlers = Pick<Handlers, (typeof TUNING_REQUESTS)[number]>;

export function tuningHandlers(_engine: Engine): TuningHandlers {
  return {};
}
