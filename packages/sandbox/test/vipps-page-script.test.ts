/**
 * The waiting pages' script (served as /vipps/assets/waiting.js) run against a minimal fake DOM,
 * fetch and clock: when it navigates, what it leaves alone, the countdown and the live message.
 * The real-browser side (CSP, axe, the e2e journeys) is in e2e/tests/sandbox-a11y.spec.ts.
 */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { VIPPS_WAITING_SCRIPT } from '../src/vipps/page-script.js';

type Answer = { status: number; body?: unknown } | 'network-error';

interface Timer {
  run: () => void;
  at: number;
  every: number | null;
}

function loadScript(waitFor: 'decision' | 'push', answers: Answer[], countdownText = '5:00') {
  let now = 1_000_000;
  const timers: Timer[] = [];
  const countdown = { textContent: countdownText };
  const problem = { textContent: '' };
  const attributes: Record<string, string> = {
    'data-wait-status-url': '/vipps/landing/status?token=t1',
    'data-wait-next-url': '/vipps/landing?token=t1',
    'data-wait-for': waitFor,
    'data-wait-interval-ms': '2000',
  };
  const main = {
    getAttribute: (name: string) => attributes[name] ?? null,
    querySelector: (selector: string) =>
      selector === '.countdown' ? countdown : selector === '[data-wait-problem]' ? problem : null,
  };
  const requested: string[] = [];
  const navigatedTo: string[] = [];
  const fetch = (url: string) => {
    requested.push(url);
    const answer = answers.shift() ?? 'network-error';
    if (answer === 'network-error') return Promise.reject(new TypeError('Failed to fetch'));
    return Promise.resolve({
      status: answer.status,
      ok: answer.status >= 200 && answer.status < 300,
      json: () => Promise.resolve(answer.body),
    });
  };
  const window = {
    setTimeout: (run: () => void, ms: number) => timers.push({ run, at: now + ms, every: null }),
    setInterval: (run: () => void, ms: number) => timers.push({ run, at: now + ms, every: ms }),
    location: { replace: (url: string) => navigatedTo.push(url) },
  };
  const document = { querySelector: (selector: string) => (selector === 'main[data-wait-status-url]' ? main : null) };
  runInNewContext(VIPPS_WAITING_SCRIPT, { window, document, fetch, Date: { now: () => now }, Math, Number });

  /** Moves the fake clock, running due timers in order and letting each fetch chain settle. */
  async function advance(ms: number) {
    const end = now + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (!next || next.at > end) break;
      timers.shift();
      now = next.at;
      if (next.every !== null) timers.push({ ...next, at: now + next.every });
      next.run();
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    }
    now = end;
  }
  return { advance, requested, navigatedTo, countdown, problem };
}

const waiting = (stage: string, timeLeftMs = 240_000): Answer => ({
  status: 200,
  body: { status: 'waiting', stage, timeLeftMs },
});

describe('the waiting pages’ script', () => {
  it('polls at the page’s interval and navigates once the user has answered, not before', async () => {
    const page = loadScript('decision', [
      waiting('pushed'),
      waiting('pushed'),
      { status: 200, body: { status: 'authorized', stage: 'pushed', timeLeftMs: 200_000 } },
    ]);
    await page.advance(1_999);
    expect(page.requested).toEqual([]);
    await page.advance(1);
    expect(page.requested).toEqual(['/vipps/landing/status?token=t1']);
    await page.advance(2_000);
    expect(page.navigatedTo).toEqual([]);
    await page.advance(2_000);
    expect(page.requested).toHaveLength(3);
    expect(page.navigatedTo).toEqual(['/vipps/landing?token=t1']);
    // Nothing more once it has left.
    await page.advance(10_000);
    expect(page.requested).toHaveLength(3);
  });

  it('on the phone, moves on as soon as the push arrived (the landing page keeps waiting then)', async () => {
    const phone = loadScript('push', [waiting('landing'), waiting('pushed')]);
    await phone.advance(2_000);
    expect(phone.navigatedTo).toEqual([]);
    await phone.advance(2_000);
    expect(phone.navigatedTo).toEqual(['/vipps/landing?token=t1']);

    const landing = loadScript('decision', [waiting('pushed'), waiting('app')]);
    await landing.advance(4_000);
    expect(landing.navigatedTo).toEqual([]);
  });

  it('leaves for the next page on an expiry, a cancellation or an unknown payment', async () => {
    for (const answer of [
      { status: 200, body: { status: 'expired', stage: 'pushed', timeLeftMs: 0 } },
      { status: 200, body: { status: 'cancelled', stage: 'landing', timeLeftMs: 10 } },
      { status: 404, body: { error: 'not_found' } },
    ]) {
      const page = loadScript('push', [answer]);
      await page.advance(2_000);
      expect(page.navigatedTo, JSON.stringify(answer)).toEqual(['/vipps/landing?token=t1']);
    }
  });

  it('keeps the countdown running between polls, corrected by each answer', async () => {
    const page = loadScript('decision', [waiting('pushed', 100_000)], '5:00');
    await page.advance(1_000);
    expect(page.countdown.textContent).toBe('4:59');
    await page.advance(1_000);
    // The poll at 2 s said 100 s are left.
    expect(page.countdown.textContent).toBe('1:40');
    await page.advance(41_000);
    expect(page.countdown.textContent).toBe('0:59');
    await page.advance(120_000);
    expect(page.countdown.textContent).toBe('0:00');
  });

  it('says so in the live region when the sandbox cannot be reached, keeps trying, and clears it', async () => {
    const page = loadScript('decision', ['network-error', { status: 503 }, 'network-error', waiting('pushed')]);
    await page.advance(4_000);
    expect(page.problem.textContent).toBe('');
    await page.advance(2_000);
    expect(page.problem.textContent).toBe(' The sandbox cannot be reached right now. Still trying.');
    expect(page.navigatedTo).toEqual([]);
    await page.advance(2_000);
    expect(page.requested).toHaveLength(4);
    expect(page.problem.textContent).toBe('');
  });
});
