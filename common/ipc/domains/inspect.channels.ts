// Channel names of the inspect domain, without schemas (the preload bundle imports these).
export const INSPECT_REQUESTS = [] as const;
export const INSPECT_EVENTS = [] as const;
