/**
 * Retries `check` until it stops throwing (then returns its result) or `timeoutMs` passes (then
 * throws its last error): tests wait for observable state, never for a fixed time.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/**
 * Retries `find` until it returns something (then returns it) or `timeoutMs` passes (then fails
 * saying which `what` never came): for waiting on an event, a row or a log line.
 */
export function eventuallyFound<T>(
  what: string,
  find: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
  intervalMs = 20,
): Promise<T> {
  return eventually(
    async () => {
      const found = await find();
      if (found === undefined) throw new Error(`not seen within ${timeoutMs} ms: ${what}`);
      return found;
    },
    timeoutMs,
    intervalMs,
  );
}
