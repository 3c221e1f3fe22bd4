// Engine handlers of the inspect domain of the contract.
import type { Handlers } from '../../common/ipc/router';
import type { INSPECT_REQUESTS } from '../../common/ipc/domains/inspect.channels';
import type { Engine } from '../engine';

export type InspectHandlers = Pick<Handlers, (typeof INSPECT_REQUESTS)[number]>;

export function inspectHandlers(_engine: Engine): InspectHandlers {
  return {};
}
