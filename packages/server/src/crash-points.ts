/**
 * Crash points: a TEST HOOK that simulates power loss at named lines, so the crash suite
 * (test/crash) can prove a restart resumes cleanly (design invariants 5 and 7).
 *
 * `crashPoint(name)` does nothing unless the environment variable PWB_CRASH_AT, read once when
 * this module loads, equals `name`; then the process sends itself SIGKILL at that very line: no
 * `finally`, no shutdown hook, no pending write gets a chance to run. Without PWB_CRASH_AT the cost
 * is one string comparison. Never set PWB_CRASH_AT in production.
 */

/** Every named point, where it sits, and what has (and has not) happened there. */
export const CRASH_POINTS = {
  /** sessions.ts create: the session and its idempotency key are committed, the merchant has no answer. */
  'create-session:after-commit': 'session and idempotency key committed, not yet answered',
  /** payments.ts start: the payment row is committed, the provider has not been called. */
  'start-payment:before-provider-create': 'payment row committed, provider not yet called',
  /** payments.ts start: the provider created its payment, our update (provider id, redirect) is not written. */
  'start-payment:after-provider-create': 'provider answered, our update not yet written',
  /** payments.ts handleCallback: an authenticated callback/webhook is being handled, before the status write. */
  'callback:before-apply': 'authenticated callback, before the status write',
  /** payments.ts refresh: the provider answered a status call, the new status is not written. */
  'refresh:after-provider-answer': 'provider status received, not yet written',
  /** outbox-worker.ts: the merchant acknowledged a notification (2xx), the delivery is not recorded. */
  'outbox:in-flight': 'notification acknowledged by the merchant, delivery not yet recorded',
} as const;

export type CrashPointName = keyof typeof CRASH_POINTS;

// Optional chaining: hosts without a Node `process` (edge runtimes embedding the fetch handler) just never crash.
const crashAt: string | undefined = globalThis.process?.env?.PWB_CRASH_AT;

/** Die here, abruptly, when PWB_CRASH_AT names this point (tests only); otherwise a no-op. */
export function crashPoint(name: CrashPointName): void {
  if (crashAt === name) process.kill(process.pid, 'SIGKILL');
}
