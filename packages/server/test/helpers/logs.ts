/** Capture log lines for assertions (and to prove secrets never reach them). */
export function captureLogs(): { lines: string[]; sink: (line: string) => void; text: () => string } {
  const lines: string[] = [];
  return { lines, sink: (line) => lines.push(line), text: () => lines.join('\n') };
}
