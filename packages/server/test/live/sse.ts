/**
 * Reads a live status stream the way the element will: the response body of a fetch, parsed as
 * server-sent events (`event:` / `data:` lines, a blank line ends a message, `:` lines are comments).
 */
import type { CheckoutPayment } from '@pay-with-bank/protocol';

export type SseMessage =
  | { kind: 'event'; event: string; data: unknown; raw: string; at: number }
  | { kind: 'comment'; text: string; raw: string; at: number };

export class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = '';
  private done = false;
  /** Everything received so far, in order. */
  readonly messages: SseMessage[] = [];

  constructor(readonly response: Response) {
    if (!response.body) throw new Error(`no body (status ${response.status})`);
    this.reader = response.body.getReader();
  }

  /** The next message (comments included), or null once the stream ended. Fails after `timeoutMs`. */
  async next(timeoutMs = 5_000): Promise<SseMessage | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.take();
      if (message) return message;
      if (this.done) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no SSE message within ${timeoutMs} ms (buffer: ${JSON.stringify(this.buffer)})`);
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        this.reader.read(),
        new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), left))),
      ]).finally(() => clearTimeout(timer));
      if (chunk === 'timeout') continue;
      if (chunk.done) this.done = true;
      else this.buffer += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  /** The next event (comments skipped). */
  async nextEvent(timeoutMs = 5_000): Promise<Extract<SseMessage, { kind: 'event' }> | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = await this.next(Math.max(1, deadline - Date.now()));
      if (message === null || message.kind === 'event') return message;
    }
  }

  /** The next `payment` event's payment (fails on anything else). */
  async nextPayment(timeoutMs = 5_000): Promise<CheckoutPayment> {
    const message = await this.nextEvent(timeoutMs);
    if (message?.event !== 'payment') throw new Error(`expected a payment event, got ${JSON.stringify(message)}`);
    return (message.data as { payment: CheckoutPayment }).payment;
  }

  /** Read to the end; returns the messages read by this call. */
  async rest(timeoutMs = 5_000): Promise<SseMessage[]> {
    const out: SseMessage[] = [];
    for (;;) {
      const message = await this.next(timeoutMs);
      if (message === null) return out;
      out.push(message);
    }
  }

  /** Whether the server closed the stream (after reading what was left). */
  get ended(): boolean {
    return this.done && this.buffer.length === 0;
  }

  /** The client goes away. */
  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => {});
  }

  private take(): SseMessage | null {
    const end = this.buffer.indexOf('\n\n');
    if (end < 0) return null;
    const raw = this.buffer.slice(0, end);
    this.buffer = this.buffer.slice(end + 2);
    const lines = raw.split('\n');
    const at = Date.now();
    let message: SseMessage;
    if (lines.every((line) => line.startsWith(':'))) {
      message = { kind: 'comment', text: lines.map((l) => l.slice(1).trim()).join('\n'), raw, at };
    } else {
      const event =
        lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim() ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      message = { kind: 'event', event, data: JSON.parse(data) as unknown, raw, at };
    }
    this.messages.push(message);
    return message;
  }
}

/** `Timeout` handles alive in this process (leak checks). */
export function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}
