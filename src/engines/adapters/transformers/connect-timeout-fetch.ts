/**
 * A fetch for transformers.js that fails when response headers do not arrive in time, so that a
 * machine with no network fails a hub download fast instead of hanging. A body in progress may go on.
 */
export function connectTimeoutFetch(ms: number) {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no response within ${ms} ms`)), ms);
    try {
      return await fetch(input, { ...init, signal: controller.signal });
    } finally {
      clearTimeout(timer);
    }
  };
}
