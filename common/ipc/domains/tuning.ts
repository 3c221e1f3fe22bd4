// The tuning domain of the contract: request schemas, responses and events.
import { z } from 'zod';
import type { TUNING_EVENTS, TUNING_REQUESTS } from './tuning.channels';

export const tuningRequests = {} as const satisfies Record<(typeof TUNING_REQUESTS)[number], z.ZodType>;

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TuningResponses {}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TuningEvents {}

export type TuningEventName = (typeof TUNING_EVENTS)[number];
