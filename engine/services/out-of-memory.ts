// What a user reads when training stops because a tensor did not fit in memory. JavaScript and
// WebAssembly say it in their own words ("Invalid typed array length: 512000000" from TF.js's wasm
// backend for a 4000×4000 map of 32 filters); this names the size and what to change.

const ADVICE = 'Use smaller images, a smaller batch or fewer filters.';

/** The message for a failed run: memory errors explained, any other error's own message. */
export function trainingErrorMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const length = /Invalid typed array length: (\d+)/.exec(message);
  if (length) {
    const values = Number(length[1]);
    return `Out of memory: one tensor of ${values.toLocaleString('en-US')} values (${Math.round((values * 4) / 2 ** 20).toLocaleString('en-US')} MiB as float32) does not fit. ${ADVICE}`;
  }
  if (/Array buffer allocation failed|Maximum memory size exceeded|could not allocate memory|WebAssembly\.Memory\(\)|out of memory/i.test(message) && !message.startsWith('Out of memory:')) {
    return `Out of memory (${message}). ${ADVICE}`;
  }
  return message;
}
