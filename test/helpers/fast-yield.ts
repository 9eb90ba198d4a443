import Bottleneck from 'bottleneck/light.js';

/**
 * Octokit's retry and throttling plugins schedule every request through Bottleneck, whose
 * in-memory store yields to the event loop with setTimeout(0) several times per job: a
 * millisecond or more each, some 10 ms of idle time per request against a local stand-in. The
 * same yield on setImmediate keeps every code path, limit and wait (minTime, Retry-After,
 * back-off) as they are and only drops that idle time.
 */
const store = Object.getPrototypeOf((new Bottleneck() as unknown as { _store: object })._store) as {
  yieldLoop(t?: number): Promise<void>;
};
const timerYield = store.yieldLoop;
store.yieldLoop = function yieldLoop(this: unknown, t = 0) {
  return t === 0 ? new Promise<void>((resolve) => setImmediate(resolve)) : timerYield.call(this, t);
};
