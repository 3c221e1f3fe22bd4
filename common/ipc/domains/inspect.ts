// The inspect domain of the contract: request schemas, responses and events.
import { z } from 'zod';
import type { INSPECT_EVENTS, INSPECT_REQUESTS } from './inspect.channels';

export const inspectRequests = {} as const satisfies Record<(typeof INSPECT_REQUESTS)[number], z.ZodType>;

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface InspectResponses {}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface InspectEvents {}

export type InspectEventName = (typeof INSPECT_EVENTS)[number];
