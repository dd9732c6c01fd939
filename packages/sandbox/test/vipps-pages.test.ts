import { describe, expect, it } from 'vitest';
import { CREDENTIALS, createHarness, hiddenToken, textOf, type Harness } from './vipps-harness.js';

async function initiate(h: Harness, orderId: string, transactionText = 'Socks & sandals', mobileNumber?: string) {
  const result = await h.api('POST', '/ecomm/v2/payments', {
    customerInfo: mobileNumber ? { mobileNumber } : {},
    merchantInfo: {
      merchantSerialNumber: CREDENTIALS.msn,
      callbackPrefix: 'https://shop.test/cb',
      fallBack: 'https://shop.test/back',
    },
    transaction: { amount: 123456, orderId, transactionText },
  });
  expect(result.status, result.text).toBe(200);
  return h.pathOf(result.body.url);
}

/** Every page the user can see in one journey, in order. */
async function journey(h: Harness) {
  const landingPath = await initiate(h, 'order-pages');
  const form = await h.browse(landingPath);
  const token = hiddenToken(form.html);
  const inbox = await h.browse(`/vipps/sandbox-phone/${token}`);
  const invalid = await h.browse('/vipps/landing/next', { form: { token, phoneNumber: '1234' } });
  await h.browse('/vipps/landing/next', { form: { token, phoneNumber: '91234567' } });
  const waiting = await h.browse(landingPath);
  const phone = await h.browse(`/vipps/sandbox-phone/${token}`);
  await h.browse(`/vipps/sandbox-phone/${token}/confirm`, { method: 'POST' });
  const result = await h.browse(`/vipps/sandbox-phone/${token}`);
  return { form, inbox, invalid, waiting, phone, result };
}

describe('Vipps pages', () => {
  it('work under a strict CSP: no inline script or style, never framed, one stylesheet from a route', async () => {
    const h = createHarness();
    const pages = await journey(h);
    const waitingPages = ['inbox', 'waiting'];
    for (const [name, page] of Object.entries(pages)) {
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp, name).toContain("default-src 'none'");
      expect(csp, name).toContain("style-src 'self'");
      expect(csp, name).toContain("frame-ancestors 'none'");
      expect(csp, name).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(page.headers.get('x-frame-options'), name).toBe('DENY');
      expect(page.html, name).not.toMatch(/\son[a-z]+=|style=|javascript:|http-equiv/i);
      expect(page.html, name).toContain('<link rel="stylesheet" href="/vipps/assets/sandbox.css">');
      expect(page.html, name).toMatch(/<html lang="en">/);
      expect(page.html, name).toMatch(/<main[^>]*>[\s\S]*<h1>/);
      // Only the pages that wait load a script: our own file, nothing inline.
      const scripts = page.html.match(/<script[^>]*>[\s\S]*?<\/script>/g) ?? [];
      if (waitingPages.includes(name)) {
        expect(scripts, name).toEqual(['<script src="/vipps/assets/waiting.js" defer></script>']);
        expect(csp, name).toContain("script-src 'self'; connect-src 'self'");
      } else {
        expect(scripts, name).toEqual([]);
        expect(csp, name).not.toMatch(/script-src|connect-src/);
      }
    }
    const css = await h.browse('/vipps/assets/sandbox.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(css.html).toContain('--vipps-orange');
    const script = await h.browse('/vipps/assets/waiting.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    expect(script.html).toContain('data-wait-status-url');
  });

  it('wait by polling a status endpoint (no reload), at the configured interval', async () => {
    const h = createHarness({ timing: { pageRefreshSeconds: 5 } });
    const landingPath = await initiate(h, 'order-poll');
    const token = hiddenToken((await h.browse(landingPath)).html);
    const status = async () => {
      const res = await h.request(`/vipps/landing/status?token=${token}`);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-type')).toContain('application/json');
      return { code: res.status, body: (await res.json()) as unknown };
    };
    expect(await status()).toEqual({
      code: 200,
      body: { status: 'waiting', stage: 'landing', timeLeftMs: 300_000 },
    });

    // The phone before the push waits for the push, then shows the request at its own URL.
    const inbox = await h.browse(`/vipps/sandbox-phone/${token}`);
    expect(inbox.html).toContain(`data-wait-status-url="/vipps/landing/status?token=${token}"`);
    expect(inbox.html).toContain(`data-wait-next-url="/vipps/sandbox-phone/${token}"`);
    expect(inbox.html).toContain('data-wait-for="push"');
    expect(inbox.html).toContain('data-wait-interval-ms="5000"');
    expect(inbox.html).toMatch(/<a href="\/vipps\/sandbox-phone\/[^"]+">Check now<\/a>/);

    await h.browse('/vipps/landing/next', { form: { token, phoneNumber: '91234567' } });
    h.clock.advance(30_000);
    expect((await status()).body).toEqual({ status: 'waiting', stage: 'pushed', timeLeftMs: 270_000 });
    // The landing page waits for the answer, then goes back to the landing URL (which redirects).
    const waiting = await h.browse(landingPath);
    expect(waiting.html).toContain(`data-wait-next-url="/vipps/landing?token=${token}"`);
    expect(waiting.html).toContain('data-wait-for="decision"');
    expect(waiting.html).toMatch(/<a href="\/vipps\/landing\?token=[^"]+">Check now<\/a>/);

    await h.browse(`/vipps/sandbox-phone/${token}/confirm`, { method: 'POST' });
    expect((await status()).body).toMatchObject({ status: 'authorized', stage: 'pushed' });
    expect((await h.browse(`/vipps/landing?token=${token}`)).location).toBe('https://shop.test/back');

    const unknown = await h.request('/vipps/landing/status?token=forged');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'not_found' });
  });

  it('report an expiry to the waiting page once the deadline has passed', async () => {
    const h = createHarness();
    const landingPath = await initiate(h, 'order-poll-expiry');
    const token = hiddenToken((await h.browse(landingPath)).html);
    await h.browse('/vipps/landing/next', { form: { token, phoneNumber: '91234567' } });
    h.clock.advance(300_000);
    const res = await h.request(`/vipps/landing/status?token=${token}`);
    expect(await res.json()).toEqual({ status: 'expired', stage: 'pushed', timeLeftMs: 0 });
  });

  it('name their controls for assistive technology (and for Playwright)', async () => {
    const h = createHarness();
    const { form, inbox, invalid, waiting, phone, result } = await journey(h);
    expect(form.html).toMatch(/<label for="phoneNumber">Mobile number<\/label>\s*<input\s+id="phoneNumber"/);
    expect(form.html).toMatch(/<button type="submit" class="primary">Next<\/button>/);
    expect(form.html).toMatch(/<button type="submit" class="secondary">Cancel<\/button>/);
    expect(textOf(form.html)).toContain('NOK 1,234.56');
    expect(textOf(inbox.html)).toContain('No payment requests');
    expect(inbox.html).not.toMatch(/http-equiv="refresh"/i);
    expect(inbox.html).toMatch(/role="status">\s*Waiting for a payment request/);
    expect(invalid.status).toBe(422);
    expect(invalid.html).toContain('aria-invalid="true" aria-describedby="phoneNumber-error"');
    expect(invalid.html).toMatch(
      /<p id="phoneNumber-error" class="error" role="alert">Enter a valid mobile number, for example 91234567\.<\/p>/,
    );
    expect(invalid.html).toContain('value="1234"');
    expect(waiting.html).toMatch(/role="status">\s*We sent a payment request/);
    expect(waiting.html).toMatch(
      /<a href="\/vipps\/sandbox-phone\/[^"]+" target="_blank" rel="noopener">Open the sandbox phone<\/a>/,
    );
    expect(phone.html).toMatch(/<button type="submit" class="primary">Confirm<\/button>/);
    expect(phone.html).toMatch(/<button type="submit" class="secondary">Reject<\/button>/);
    expect(textOf(phone.html)).toContain('Sandbox Merchant AS NOK 1,234.56 Socks & sandals');
    expect(result.html).toMatch(/<h1>Payment confirmed<\/h1>/);
  });

  it('escapes merchant-supplied text', async () => {
    const h = createHarness({ merchantName: 'Bob "Shop" <b>' });
    const landingPath = await initiate(h, 'order-xss', '<script>alert(1)</script>');
    const page = await h.browse(landingPath);
    expect(page.html).not.toContain('<script>');
    expect(page.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.html).toContain('Bob &quot;Shop&quot; &lt;b&gt;');
  });

  it('answer an unknown or forged token with a 404 page and change nothing', async () => {
    const h = createHarness();
    await initiate(h, 'order-404');
    expect((await h.browse('/vipps/landing?token=forged')).status).toBe(404);
    expect((await h.browse('/vipps/sandbox-phone/forged')).status).toBe(404);
    expect((await h.browse('/vipps/sandbox-phone/forged/confirm', { method: 'POST' })).status).toBe(404);
    expect((await h.browse('/vipps/landing/next', { form: { token: 'forged', phoneNumber: '91234567' } })).status).toBe(
      404,
    );
    expect((await h.browse('/vipps/landing/next', { form: { phoneNumber: '91234567' } })).status).toBe(404);
    expect(h.controls.inspect('order-404')).toMatchObject({
      payment: { status: 'initiated' },
      user: { stage: 'landing' },
    });
  });

  it('do not let the phone confirm or reject before the push was sent', async () => {
    const h = createHarness();
    const landingPath = await initiate(h, 'order-early');
    const token = hiddenToken((await h.browse(landingPath)).html);
    await h.browse(`/vipps/sandbox-phone/${token}/confirm`, { method: 'POST' });
    await h.browse(`/vipps/sandbox-phone/${token}/reject`, { method: 'POST' });
    expect(h.controls.inspect('order-early')).toMatchObject({ payment: { status: 'initiated' } });
  });

  it('serve the phone page with a result and a way back after an app switch', async () => {
    const h = createHarness();
    const landingPath = await initiate(h, 'order-app');
    const phonePath = (await h.browse(landingPath, { userAgent: 'Mozilla/5.0 (Linux; Android 14) Mobile Safari' }))
      .location!;
    await h.browse(`${phonePath}/confirm`, { method: 'POST' });
    const page = await h.browse(phonePath);
    expect(page.html).toContain('<a href="https://shop.test/back">Back to the store</a>');
  });
});
