/** A fresh attempt id per Pay action: 16 random bytes as base64url (22 characters, ATTEMPT_ID_PATTERN). */
export function newAttemptId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A chunk's `import()` that a later call can retry after it failed. Chromium keeps a failed module
 * fetch in the page's module map for good, so `import()` of the same URL fails again without asking
 * the network (whatwg/html#6768; Firefox and WebKit now fetch again). Its error names the URL: a retry
 * imports that URL with `?retry=N`, a module URL of its own that the browser fetches; N grows only with
 * failures, so calls after a success get that same module. Where the error names none, the retry
 * calls `load` again (those browsers fetch again by themselves).
 */
export function retryingImport<T>(load: () => Promise<T>): () => Promise<T> {
  let url = '';
  let failures = 0;
  return () =>
    (url ? (import(/* @vite-ignore */ `${url}?retry=${failures}`) as Promise<T>) : load()).catch((error: unknown) => {
      url ||= /\bhttps?:\/\/[^\s'"]+/.exec(String((error as Error)?.message))?.[0] ?? '';
      failures++;
      throw error;
    });
}
