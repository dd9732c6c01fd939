import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED } from '../../src/log.js';

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
