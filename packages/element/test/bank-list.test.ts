import { expect } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import { MEMORY_KEY } from '../src/memory.js';
import { filterBanks, normalizeForSearch } from '../src/methods/bank-form.js';
import {
  $,
  $$,
  BANKS,
  FakeServer,
  LOGO,
  SERVER,
  TOKEN,
  apiError,
  click,
  json,
  makeSession,
  mount,
  screenOf,
  text,
  waitForScreen,
  waitForSelector,
} from './helpers.js';
import { waitUntil } from '@open-wc/testing';

const bankNames = (el: HTMLElement) => $$(el, '[data-bank-id] .bank-name').map((n) => n.textContent!.trim());

async function openBankList() {
  const el = await mount({ methods: 'bank' });
  await waitForScreen(el, 'bank-list');
  await waitForSelector(el, '[data-bank-id]');
  return el;
}

describe('bank list', () => {
  let server: FakeServer;
  afterEach(() => {
    server.assertNoAmountSent();
    server.restore();
  });

  it('lists the first country’s banks with logos, initials and greyed unavailable banks', async () => {
    server = new FakeServer().withDefaults().install();
    const el = await openBankList();

    expect(server.requestsTo('GET', '/v1/checkout/banks')[0]!.url.searchParams.get('country')).to.equal('DK');
    // Unavailable banks come after the available ones.
    expect(bankNames(el)).to.deep.equal([
      'Danske Bank',
      'Nordea',
      'Østjydsk Bank',
      'Broken Logo Sparekasse',
      'Jyske Bank',
    ]);

    const logo = $<HTMLImageElement>(el, '[data-bank-id="dk-danske"] img')!;
    expect(logo.getAttribute('src')).to.equal(LOGO);
    expect(logo.getAttribute('alt')).to.equal('');
    expect(text(el, '[data-bank-id="dk-nordea"] .initials')).to.equal('N');
    // A logo that fails to load falls back to initials.
    await waitUntil(() => $(el, '[data-bank-id="dk-broken"] .initials'), 'initials after logo error');
    expect(text(el, '[data-bank-id="dk-broken"] .initials')).to.equal('BL');

    const jyske = $<HTMLInputElement>(el, '[data-bank-id="dk-jyske"] input')!;
    expect(jyske.disabled).to.equal(true);
    expect($(el, '[data-bank-id="dk-jyske"]')!.classList.contains('unavailable')).to.equal(true);
    const messageId = jyske.getAttribute('aria-describedby')!;
    expect(el.shadowRoot!.getElementById(messageId)!.textContent).to.equal('Down for maintenance until 14:00');

    // Clicking the greyed bank selects nothing.
    $(el, '[data-bank-id="dk-jyske"]')!.click();
    expect(jyske.checked).to.equal(false);
    await expect(el).to.be.accessible();
  });

  it('filters by name, ignoring case and accents, and says when nothing matches', async () => {
    server = new FakeServer().withDefaults().install();
    const el = await openBankList();
    const search = $<HTMLInputElement>(el, 'input[type="search"]')!;
    expect(el.shadowRoot!.querySelector(`label[for="${search.id}"]`)!.textContent).to.equal('Search for your bank');

    search.value = 'ostjy';
    search.dispatchEvent(new Event('input'));
    await el.updateComplete;
    expect(bankNames(el)).to.deep.equal(['Østjydsk Bank']);

    search.value = 'BANK';
    search.dispatchEvent(new Event('input'));
    await el.updateComplete;
    expect(bankNames(el)).to.deep.equal(['Danske Bank', 'Østjydsk Bank', 'Jyske Bank']);

    search.value = 'zzz';
    search.dispatchEvent(new Event('input'));
    await el.updateComplete;
    expect(bankNames(el)).to.deep.equal([]);
    expect(text(el, '[role="status"]:not([data-live-region])')).to.equal('No banks match “zzz”.');
    // "Choose my bank on the next page" stays available whatever the search.
    expect($(el, '#bank-later')).not.to.equal(null);
  });

  it('normalizes Nordic and German letters for search', () => {
    expect(normalizeForSearch('Østjydsk Æble Straße Södra Łódź')).to.equal('ostjydsk aeble strasse sodra lodz');
    expect(filterBanks(BANKS['SE']!, 'sodra').map((b) => b.id)).to.deep.equal(['se-sodra']);
  });

  it('switches country through the filter and loads that country’s banks', async () => {
    server = new FakeServer().withDefaults().install();
    const el = await openBankList();
    const select = $<HTMLSelectElement>(el, 'select')!;
    expect([...select.options].map((o) => o.value)).to.deep.equal(['DK', 'SE']);
    expect([...select.options].map((o) => o.textContent)).to.deep.equal(['Denmark', 'Sweden']);
    select.value = 'SE';
    select.dispatchEvent(new Event('change'));
    await waitUntil(() => bankNames(el).includes('Swedbank'), 'Swedish banks');
    expect(bankNames(el)).to.deep.equal(['Swedbank', 'Södra Sparbank']);
    expect(server.requestsTo('GET', '/v1/checkout/banks').map((r) => r.url.searchParams.get('country'))).to.deep.equal([
      'DK',
      'SE',
    ]);
  });

  it('hides the country filter for a single country', async () => {
    server = new FakeServer().withDefaults(makeSession({ countries: ['DK'] })).install();
    const el = await openBankList();
    expect($(el, 'select')).to.equal(null);
  });

  it('is usable with the keyboard: arrow keys move between available banks, skipping unavailable ones', async () => {
    server = new FakeServer().withDefaults().install();
    const el = await openBankList();
    $<HTMLInputElement>(el, 'input[type="search"]')!.focus();
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement?.id).to.equal('bank-country');
    await sendKeys({ press: 'Tab' });
    // Into the radio group: the first radio gets focus; Space selects it.
    expect(el.shadowRoot!.activeElement?.getAttribute('name')).to.equal('bank');
    await sendKeys({ press: 'Space' });
    await sendKeys({ press: 'ArrowDown' });
    await el.updateComplete;
    expect(($(el, 'input[name="bank"]:checked') as HTMLInputElement).value).to.equal('dk-nordea');
    await sendKeys({ press: 'ArrowDown' });
    await el.updateComplete;
    expect(($(el, 'input[name="bank"]:checked') as HTMLInputElement).value).to.equal('dk-ostjysk');
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'ArrowDown' }); // skips the unavailable Jyske Bank (last) for "choose later"
    await el.updateComplete;
    expect(($(el, 'input[name="bank"]:checked') as HTMLInputElement).id).to.equal('bank-later');
    await sendKeys({ press: 'ArrowUp' });
    await sendKeys({ press: 'ArrowUp' });
    await el.updateComplete;
    expect(($(el, 'input[name="bank"]:checked') as HTMLInputElement).value).to.equal('dk-ostjysk');

    // Tab leaves the group for the Pay button; Enter pays with the chosen bank.
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement?.getAttribute('data-action')).to.equal('pay');
    await sendKeys({ press: 'Enter' });
    await waitForScreen(el, 'redirecting');
    expect((server.requestsTo('POST', '/v1/checkout/payments')[0]!.body as { bankId: string }).bankId).to.equal(
      'dk-ostjysk',
    );
  });

  it('asks for a bank when Pay is pressed without one, and sends no request', async () => {
    server = new FakeServer().withDefaults().install();
    const el = await openBankList();
    click(el, '[data-action="pay"]');
    await el.updateComplete;
    expect(text(el, '#bank-missing')).to.equal('Choose a bank to continue.');
    expect($(el, '#bank-missing')!.getAttribute('role')).to.equal('alert');
    expect(server.requestsTo('POST', '/v1/checkout/payments')).to.have.length(0);
    await expect(el).to.be.accessible();
    // A bank filtered out of view is not paid with either.
    $<HTMLInputElement>(el, '[data-bank-id="dk-nordea"] input')!.click();
    const search = $<HTMLInputElement>(el, 'input[type="search"]')!;
    search.value = 'danske';
    search.dispatchEvent(new Event('input'));
    await el.updateComplete;
    click(el, '[data-action="pay"]');
    await el.updateComplete;
    expect(server.requestsTo('POST', '/v1/checkout/payments')).to.have.length(0);
    expect(screenOf(el)).to.equal('bank-list');
  });

  it('shows the Pay button with amount and payee', async () => {
    server = new FakeServer().withDefaults().install();
    const el = await openBankList();
    expect(text(el, '[data-action="pay"]')).to.equal('Pay DKK 1,250.00 to Nordic Mugs ApS');
  });

  it('offers "Try again" when the banks cannot be loaded', async () => {
    server = new FakeServer().withDefaults().install();
    let fail = true;
    server.on('GET', /^\/v1\/checkout\/banks$/, () =>
      fail ? apiError('provider_unavailable') : json({ banks: BANKS['DK'] }),
    );
    const el = await mount({ methods: 'bank' });
    await waitForSelector(el, '[role="alert"]');
    expect(text(el, '[role="alert"] p')).to.equal(
      'The payment service is not available right now. Please try again in a moment.',
    );
    await expect(el).to.be.accessible();
    fail = false;
    click(el, '[role="alert"] [data-action="retry"]');
    await waitForSelector(el, '[data-bank-id]');
    expect(bankNames(el)).to.have.length(5);
  });
});

describe('bank list: the merchant’s highlights, a preselected bank, the bank used last', () => {
  let server: FakeServer;
  afterEach(() => {
    localStorage.removeItem(MEMORY_KEY);
    server.assertNoAmountSent();
    server.restore();
  });

  const rows = (el: HTMLElement) =>
    $$(el, '[data-bank-id]').map((row) => [row.dataset.bankId, row.getAttribute('part')] as const);

  it('needs no bank request when the session read carries the default country’s banks', async () => {
    server = new FakeServer().withDefaults(makeSession({ banks: BANKS['DK']! })).install();
    const el = await openBankList();
    expect(bankNames(el)).to.have.length(5);
    expect(server.requestsTo('GET', '/v1/checkout/banks')).to.have.length(0);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal(['GET /v1/checkout/session']);
  });

  it('shows highlighted banks first, in the merchant’s order, but never an unavailable one before available banks', async () => {
    server = new FakeServer().withDefaults(makeSession({ banks: BANKS['DK']! })).install();
    const el = await mountWith({ 'highlighted-banks': 'dk-jyske dk-ostjysk dk-nordea' });
    await waitForSelector(el, '[data-bank-id]');
    expect(rows(el)).to.deep.equal([
      ['dk-ostjysk', 'bank bank-highlighted'],
      ['dk-nordea', 'bank bank-highlighted'],
      ['dk-danske', 'bank'],
      ['dk-broken', 'bank'],
      ['dk-jyske', 'bank bank-highlighted'],
    ]);
    expect($(el, 'input[name="bank"]:checked')).to.equal(null); // highlighting selects nothing
    await expect(el).to.be.accessible();
  });

  it('preselects the merchant’s bank, also in another country, and pays with it', async () => {
    server = new FakeServer().withDefaults(makeSession({ banks: BANKS['DK']! })).install();
    server.on('GET', /^\/v1\/checkout\/banks$/, (req) => {
      const country = req.url.searchParams.get('country');
      return json({ banks: country ? BANKS[country]! : [...BANKS['DK']!, ...BANKS['SE']!] });
    });
    const el = await mountWith({ 'preselected-bank': 'dk-nordea' });
    await waitForSelector(el, '[data-bank-id]');
    expect(($(el, 'input[name="bank"]:checked') as HTMLInputElement).value).to.equal('dk-nordea');
    expect(server.requestsTo('GET', '/v1/checkout/banks')).to.have.length(0);

    const swedish = await mountWith({ 'preselected-bank': 'se-sodra' });
    await waitUntil(() => ($(swedish, 'input[name="bank"]:checked') as HTMLInputElement | null)?.value === 'se-sodra');
    expect($<HTMLSelectElement>(swedish, '#bank-country')!.value).to.equal('SE');
    click(swedish, '[data-action="pay"]');
    await waitForScreen(swedish, 'redirecting');
    expect(server.requestsTo('POST', '/v1/checkout/payments')[0]!.body).to.include({ bankId: 'se-sodra' });
  });

  it('remember-bank: remembers the bank the shopper leaves with, and offers it first (selected) next time', async () => {
    server = new FakeServer().withDefaults(makeSession({ banks: BANKS['DK']! })).install();
    const first = await mountWith({ 'remember-bank': '', 'preselected-bank': 'dk-danske' });
    await waitForSelector(first, '[data-bank-id]');
    expect(localStorage.getItem(MEMORY_KEY)).to.equal(null); // nothing stored before a bank is used
    $<HTMLInputElement>(first, '[data-bank-id="dk-ostjysk"] input')!.click();
    click(first, '[data-action="pay"]');
    await waitForScreen(first, 'redirecting');
    expect(JSON.parse(localStorage.getItem(MEMORY_KEY)!)).to.deep.equal({
      bank: { bankId: 'dk-ostjysk', country: 'DK' },
    });
    first.remove();

    // The next checkout on this device: the shopper's own bank wins over the merchant's preselection.
    const next = await mountWith({
      'remember-bank': '',
      'preselected-bank': 'dk-danske',
      'highlighted-banks': 'dk-nordea',
    });
    await waitForSelector(next, '[data-bank-id]');
    expect(rows(next).slice(0, 3)).to.deep.equal([
      ['dk-ostjysk', 'bank bank-last-used'],
      ['dk-nordea', 'bank bank-highlighted'],
      ['dk-danske', 'bank'],
    ]);
    expect(text(next, '[data-bank-id="dk-ostjysk"] .tag')).to.equal('Last used');
    expect(($(next, 'input[name="bank"]:checked') as HTMLInputElement).value).to.equal('dk-ostjysk');
    await expect(next).to.be.accessible();
    next.remove();

    // Without the attribute the element neither reads nor writes it.
    const off = await mountWith({ 'preselected-bank': 'dk-danske' });
    await waitForSelector(off, '[data-bank-id]');
    expect(($(off, 'input[name="bank"]:checked') as HTMLInputElement).value).to.equal('dk-danske');
    expect($(off, '.tag')).to.equal(null);
    click(off, '[data-action="pay"]');
    await waitForScreen(off, 'redirecting');
    expect(JSON.parse(localStorage.getItem(MEMORY_KEY)!).bank.bankId).to.equal('dk-ostjysk');
  });

  it('ignores a remembered bank that is malformed or of a country the session does not list', async () => {
    server = new FakeServer().withDefaults(makeSession({ banks: BANKS['DK']! })).install();
    for (const stored of [
      'not json',
      JSON.stringify({ bank: { bankId: '<script>' } }),
      JSON.stringify({ bank: { bankId: 'no-bank', country: 'NO' } }),
    ]) {
      localStorage.setItem(MEMORY_KEY, stored);
      const el = await mountWith({ 'remember-bank': '' });
      await waitForSelector(el, '[data-bank-id]');
      expect($(el, 'input[name="bank"]:checked')).to.equal(null);
      expect($(el, '.tag')).to.equal(null);
      el.remove();
    }
  });

  it('is one list with the page on a phone, and scrolls within the widget on a wide screen', async () => {
    server = new FakeServer().withDefaults(makeSession({ banks: BANKS['DK']! })).install();
    const el = await openBankList();
    const list = $(el, '.banks')!;
    try {
      await setViewport({ width: 375, height: 667 });
      expect([getComputedStyle(list).overflowY, getComputedStyle(list).maxHeight]).to.deep.equal(['visible', 'none']);
      await setViewport({ width: 1200, height: 800 });
      expect([getComputedStyle(list).overflowY, getComputedStyle(list).maxHeight]).to.deep.equal(['auto', '320px']);
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });
});

/** Mounts a bank-only element with extra attributes (highlighted-banks, preselected-bank, remember-bank). */
async function mountWith(attributes: Record<string, string>) {
  const el = document.createElement('test-pay-with-bank');
  const all = { 'session-token': TOKEN, 'server-url': SERVER, locale: 'en', methods: 'bank', ...attributes };
  for (const [name, value] of Object.entries(all)) el.setAttribute(name, value);
  el.pollInterval = 20;
  mounted.push(el);
  document.body.append(el);
  await waitForScreen(el, 'bank-list');
  return el;
}
const mounted: HTMLElement[] = [];
afterEach(() => mounted.splice(0).forEach((el) => el.remove()));
