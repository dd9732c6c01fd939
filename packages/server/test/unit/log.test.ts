import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { createLogger, REDACTED } from '../../src/log.js';
import { MemoryStore } from '../../src/store/memory.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';
import { makeHarness } from '../helpers/harness.js';

function capture(level: 'debug' | 'info' = 'debug', secrets: string[] = []) {
  const lines: string[] = [];
  const logger = createLogger({ level, secrets, sink: (l) => lines.push(l) });
  return { logger, lines };
}

describe('logger', () => {
  it('writes one JSON object per line with level, message and fields', () => {
    const { logger, lines } = capture();
    logger.child({ component: 'test' }).info('hello', { n: 1 });
    const record = JSON.parse(lines[0]!);
    expect(record).toMatchObject({ level: 'info', msg: 'hello', component: 'test', n: 1 });
    expect(Date.parse(record.time)).not.toBeNaN();
  });

  it('drops lines below the level', () => {
    const { logger, lines } = capture('info');
    logger.debug('hidden');
    logger.warn('shown');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
  });

  it('blanks sensitive keys, masks known secrets and credential patterns anywhere', () => {
    const secret = 'super-secret-client-secret-value';
    const { logger, lines } = capture('debug', [secret]);
    logger.error('failure', {
      headers: { authorization: 'Bearer abc', 'X-Client-Secret': secret, accept: 'json' },
      clientToken: 'pwb_ct_something',
      nested: { message: `call failed with ${secret} inside`, list: [`Bearer xyz123`, 'ok'] },
      url: 'https://shop.example/return?pwb_return=pwb_ct_AAAA&pwb_payment=pay_1',
      error: new Error(`boom ${secret}`),
    });
    const line = lines[0]!;
    expect(line).not.toContain(secret);
    expect(line).not.toContain('abc');
    expect(line).not.toContain('xyz123');
    expect(line).not.toContain('pwb_ct_AAAA');
    expect(line).not.toContain('pwb_ct_something');
    const record = JSON.parse(line);
    expect(record.headers.authorization).toBe(REDACTED);
    expect(record.headers.accept).toBe('json');
    expect(record.nested.message).toBe(`call failed with ${REDACTED} inside`);
    expect(record.url).toContain('pwb_payment=pay_1');
    expect(record.error.message).toBe(`boom ${REDACTED}`);
  });

  it('survives a throwing sink and circular-ish deep objects', () => {
    const logger = createLogger({
      sink: () => {
        throw new Error('disk full');
      },
    });
    expect(() => logger.info('x')).not.toThrow();
    const deep: Record<string, unknown> = {};
    let cur = deep;
    for (let i = 0; i < 20; i++) cur = (cur.next = {}) as Record<string, unknown>;
    const { logger: l2, lines } = capture();
    l2.info('deep', { deep });
    expect(lines[0]).toContain('[truncated]');
  });
});

describe('the request id in service logs', () => {
  it('is on every line a service logs while handling the request, and on the response', async () => {
    const lines: string[] = [];
    const fake = new FakeAdapter();
    const h = makeHarness({
      env: { PWB_LOG_LEVEL: 'info' },
      deps: { store: new MemoryStore(), adapters: [fake], logSink: (line) => lines.push(line) },
    });
    const { clientToken } = await h.createSession();
    fake.failNext.create = new ProviderError('provider_unavailable', 'The payment provider is unavailable (HTTP 503).');
    const res = await h.client(clientToken, 'POST', '/v1/checkout/payments', {
      method: 'bank',
      attemptId: 'attempt-log-1',
    });
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const records = lines.map((line) => JSON.parse(line) as { msg: string; requestId?: string });
    const warning = records.find((r) => r.msg === 'provider refused to create a payment');
    expect(warning?.requestId).toBe(requestId);
    // Outside a request there is none.
    const logger = createLogger({ level: 'info', sink: (l) => lines.push(l) });
    logger.info('background');
    expect(JSON.parse(lines.at(-1)!).requestId).toBeUndefined();
  });
});
