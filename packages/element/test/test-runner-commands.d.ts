// Types for the bare import mapped in web-test-runner.config.mjs (the package ships with
// @web/test-runner but is not linked into this package by pnpm).
declare module '@web/test-runner-commands' {
  export function sendKeys(
    payload: { press: string } | { type: string } | { down: string } | { up: string },
  ): Promise<void>;
  export function setViewport(viewport: { width: number; height: number }): Promise<void>;
  export function emulateMedia(options: {
    reducedMotion?: 'reduce' | 'no-preference';
    colorScheme?: 'light' | 'dark' | 'no-preference';
    media?: 'screen' | 'print';
  }): Promise<void>;
}
