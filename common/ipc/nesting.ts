// How deeply a payload nests. A few kilobytes of JSON can nest thousands of levels deep; passing
// that on to the engine process overflows the stack of the serializer that carries it (the request
// then never gets an answer). No request Glasswing sends nests more than a few dozen levels (a Keras
// topology inside a topology is about 30), so the router refuses anything past MAX_NESTING up front.

export const MAX_NESTING = 200;

/** Whether `value` has arrays or objects nested more than `limit` levels deep. Iterative: it must not overflow on what it guards against. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
