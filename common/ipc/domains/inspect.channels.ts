// Channel names of the inspect domain, without schemas (the preload bundle imports these).
export const INSPECT_REQUESTS = [
  'inspect.runs',
  'inspect.layers',
  'inspect.samples',
  'inspect.featureMaps',
  'inspect.filters',
  'inspect.cam',
  'inspect.audit',
  'inspect.sanity',
  'inspect.pin',
  'inspect.snapshots',
] as const;
export const INSPECT_EVENTS = ['inspect.snapshot'] as const;
