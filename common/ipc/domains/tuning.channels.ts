// Channel names of the tuning domain, without schemas (the preload bundle imports these).
export const TUNING_REQUESTS = [] as const;
export const TUNING_EVENTS = [] as const;
