/**
 * Waiting with the live status stream (GET /v1/checkout/payments/{id}/events, a streaming fetch with
 * the bearer token): the server pushes each change, the element polls nothing while it works, and
 * falls back to polling when the stream cannot be opened, breaks or ends without a word.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { CheckoutPayment } from '@pay-with-bank/protocol';
import { FakeServer, PAYMENT_ID, TOKEN, json, makePayment, makeSession, mount, waitForScreen } from './helpers.js';

const EVENTS = new RegExp(`^/v1/checkout/payments/${PAYMENT_ID}/events$`);
const REFRESH = new RegExp(`^/v1/checkout/payments/${PAYMENT_ID}/refresh$`);

/** An SSE body written message by message; `close()` ends it (without `end` unless one was sent). */
function sseStream() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return {
    response: () => new Response(body, { headers: { 'Content-Type': 'text/event-stream; charset=utf-8' } }),
    payment: (payment: CheckoutPayment) =>
      controller.enqueue(encoder.encode(`event: payment\ndata: ${JSON.stringify({ payment })}\n\n`)),
    heartbeat: () => controller.enqueue(encoder.encode(': heartbeat\n\n')),
    end: (reason: string) => controller.enqueue(encoder.encode(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`)),
    // Split mid-message, as networks do.
    raw: (text: string) => controller.enqueue(encoder.encode(text)),
    close: () => controller.close(),
  };
}

describe('live status', () => {
  let server: FakeServer;
  afterEach(() => server?.restore());
  const pending = makePayment({ status: 'pending' });

  it('waits on one stream: pushed changes show at once, the final one shows the result, nothing is polled', async () => {
    const stream = sseStream();
    server = new FakeServer()
      .withDefaults(makeSession({ payment: pending }))
      .on('GET', EVENTS, () => stream.response())
      .install();
    const el = await mount({ liveStatus: true, pollInterval: 20 });
    await waitForScreen(el, 'waiting');
    await waitUntil(() => server.requestsTo('GET', EVENTS).length === 1, 'the stream is opened');
    const opened = server.requestsTo('GET', EVENTS)[0]!;
    expect(opened.headers.get('Authorization')).to.equal(`Bearer ${TOKEN}`);
    expect(opened.headers.get('Accept')).to.equal('text/event-stream');
    expect([...opened.url.searchParams.keys()]).to.deep.equal([]); // the token never goes into the URL
    stream.payment(pending);
    stream.heartbeat();
    stream.raw(
      `event: payment\ndata: ${JSON.stringify({ payment: makePayment({ status: 'completed' }) }).slice(0, 40)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(el.shadowRoot!.querySelector('.base')!.getAttribute('data-screen')).to.equal('waiting');
    stream.raw(`${JSON.stringify({ payment: makePayment({ status: 'completed' }) }).slice(40)}\n\n`);
    stream.end('final');
    await waitForScreen(el, 'result');
    expect(server.requestsTo('POST', REFRESH)).to.deep.equal([]);
    expect(server.requestsTo('GET', EVENTS)).to.have.length(1);
  });

  it('a server without the stream (404): polling, as before', async () => {
    let checks = 0;
    server = new FakeServer()
      .withDefaults(makeSession({ payment: pending }))
      .on('POST', REFRESH, () => json({ payment: ++checks < 2 ? pending : makePayment({ status: 'completed' }) }))
      .install();
    const el = await mount({ liveStatus: true, pollInterval: 20 });
    await waitForScreen(el, 'result');
    expect(server.requestsTo('GET', EVENTS)).to.have.length(1);
    expect(checks).to.equal(2);
  });

  it('a stream that breaks without `end`: polling takes over and finds the result', async () => {
    const stream = sseStream();
    server = new FakeServer()
      .withDefaults(makeSession({ payment: pending }))
      .on('GET', EVENTS, () => stream.response())
      .on('POST', REFRESH, () => json({ payment: makePayment({ status: 'failed' }) }))
      .install();
    const el = await mount({ liveStatus: true, pollInterval: 20 });
    await waitUntil(() => server.requestsTo('GET', EVENTS).length === 1, 'the stream is opened');
    expect(server.requestsTo('POST', REFRESH)).to.deep.equal([]);
    stream.payment(pending);
    stream.close();
    await waitForScreen(el, 'result');
    expect(server.requestsTo('POST', REFRESH).length).to.be.greaterThan(0);
  });

  it('a stream ended for its age is opened again; nonsense on it hands over to polling', async () => {
    const streams = [sseStream(), sseStream()];
    let opened = 0;
    server = new FakeServer()
      .withDefaults(makeSession({ payment: pending }))
      .on('GET', EVENTS, () => streams[opened++]!.response())
      .on('POST', REFRESH, () => json({ payment: makePayment({ status: 'completed' }) }))
      .install();
    const el = await mount({ liveStatus: true, pollInterval: 20 });
    await waitUntil(() => opened === 1, 'the first stream');
    streams[0]!.payment(pending);
    streams[0]!.end('lifetime');
    await waitUntil(() => opened === 2, 'a second stream after the first ended for its age', { timeout: 4000 });
    expect(server.requestsTo('POST', REFRESH)).to.deep.equal([]);
    streams[1]!.raw('event: payment\ndata: {"payment":{"id":"not a payment"}}\n\n');
    await waitForScreen(el, 'result');
    expect(server.requestsTo('POST', REFRESH).length).to.be.greaterThan(0);
  });
});
