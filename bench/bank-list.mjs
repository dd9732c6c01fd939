#!/usr/bin/env node
// Time from navigation start of a fresh load of the demo's checkout page to the widget's bank rows
// (banks listed by the sandbox, not the "Choose my bank on the next page" row) being visible, plus
// the requests the page makes before that moment and how many of them form a chain of round trips.
//
// Usage: start the demo (npm run demo) in another shell, then:
//   node bench/bank-list.mjs [runs=15] [currency…=DKK SEK] [--latency=0,50]
// The demo must be reachable at PWB_DEMO_URL (default http://localhost:4030).
//
// Each kind of load is measured at each network latency (Chromium's network emulation, added to every
// request the page makes, CORS preflights included), and so is a floor page: the same checkout document
// (its styles, its other script, its Content-Security-Policy), whose element script is replaced by one
// small script that makes the one request the bank list needs (GET /v1/checkout/session with the
// bearer token, so one preflight too) and renders the banks as a plain list instead of the element.
// The element's script request is answered by this script for both pages, after the same latency: the
// shop's bundle for the widget, the floor's script for the floor. The widget's time to its bank rows
// is compared with the floor's.
//
// One session kind per currency, chosen with the shop's own currency selector:
// - DKK (the shop's default) offers bank and Vipps, so the widget opens on the method choice; the
//   script clicks "Pay with your bank" as soon as it can and the times up to the click, the click and
//   click → rows are printed separately.
// - SEK is not a Vipps currency, so the session offers bank only and the widget opens on the bank list.
// Each load: the order is created over HTTP (no browser), then the checkout page opens in a new
// browser context (empty HTTP cache, empty CORS preflight cache). Loads alternate between the
// currencies; the first load of each is a warm-up (server bank cache, bundle read) and is dropped.
//
// Clocks: page moments come from the page (performance.now(), 0 = navigation start); a moment is the
// first animation frame whose DOM holds the thing (checked every frame, so ~16 ms resolution). Requests
// come from the Chrome DevTools Protocol Network domain (it also reports CORS preflights, which
// Playwright's request events and Resource Timing leave out), put on the page's clock through the
// page's NavigationStart metric (same monotonic clock). "Before the rows" means issued before that
// frame. Chained round trips: the longest chain of requests, finished before the rows, each of which
// went out (network start, so a request waiting on its preflight goes out after it) after the
// previous one had ended.
/* global URLSearchParams, TextEncoder */ // Node's, not in the workspace's ESLint globals
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from './browser.mjs';

const shop = (process.env.PWB_DEMO_URL ?? 'http://localhost:4030').replace(/\/+$/, '');
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const runs = Number(positional[0] ?? 15);
const currencies = positional.slice(1).length ? positional.slice(1).map((c) => c.toUpperCase()) : ['DKK', 'SEK'];
const latencies = (flags.find((f) => f.startsWith('--latency='))?.slice(10) ?? '0,50').split(',').map(Number);
if (!Number.isInteger(runs) || runs < 1 || latencies.some((l) => !Number.isFinite(l) || l < 0)) {
  console.error('usage: node bench/bank-list.mjs [runs=15] [currency…=DKK SEK] [--latency=0,50]');
  process.exit(2);
}
const TIMEOUT_MS = 15_000;

// ------------------------------------------------------------------ order creation (plain HTTP)

/** Creates an order the way the shop's forms do (currency, add to cart, checkout); returns the checkout URL. */
async function createOrder(currency) {
  const cookies = new Map();
  const send = async (method, path, form) => {
    const res = await fetch(shop + path, {
      method,
      body: form ? new URLSearchParams(form) : undefined,
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0];
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  };
  const home = await send('GET', '/');
  const productId = /name="productId" value="([^"]+)"/.exec(await home.text())?.[1];
  if (!productId) throw new Error(`no product form on ${shop}/`);
  await send('POST', '/currency', { currency });
  if (cookies.get('currency') !== currency) throw new Error(`the shop did not accept currency ${currency}`);
  await send('POST', '/cart', { productId, quantity: '1' });
  const res = await send('POST', '/checkout', {});
  const location = res.headers.get('location') ?? '';
  if (res.status !== 303 || !/^\/checkout\/ord-\d+$/.test(location)) {
    throw new Error(`POST /checkout answered ${res.status} ${location}: is the demo running at ${shop}?`);
  }
  return shop + location;
}

// ------------------------------------------------------------------ in-page instrumentation

// Runs in the page before any of its scripts. Part names are the widget's public styling API.
function instrument() {
  const marks = {
    firstScreen: null,
    firstScreenName: null,
    click: null,
    rows: null,
    rowCount: 0,
    methods: null,
    screen: null,
    errors: [],
  };
  window.__pwbBench = marks;
  window.addEventListener('pwb-ready', (e) => (marks.methods = e.detail.methods), true);
  window.addEventListener('pwb-error', (e) => marks.errors.push(e.detail.code), true);
  window.addEventListener('click', () => (marks.click ??= performance.now()), true);
  const visible = (el) => !!el && el.checkVisibility();
  const frame = () => {
    const root = document.querySelector('pay-with-bank')?.shadowRoot;
    const screen = root?.querySelector('[data-screen]')?.getAttribute('data-screen') ?? null;
    marks.screen = screen;
    if (root && marks.firstScreen === null && screen !== null && screen !== 'loading' && screen !== 'error') {
      // Interactive: something the shopper can press is on screen (a method button, a bank radio).
      if ([...root.querySelectorAll('button, input')].some((el) => !el.disabled && visible(el))) {
        marks.firstScreen = performance.now();
        marks.firstScreenName = screen;
      }
    }
    // The widget's bank rows, or the floor page's plain list.
    const rows = root
      ? [...root.querySelectorAll('[part~="bank"]:not([part~="bank-choose-later"])')]
      : [...document.querySelectorAll('#floor-banks li')];
    if (!root && rows.length > 0 && marks.firstScreen === null) {
      marks.firstScreen = performance.now();
      marks.firstScreenName = 'floor';
    }
    if (rows.length > 0 && rows.some(visible)) {
      marks.rows = performance.now();
      marks.rowCount = rows.length;
      return;
    }
    window.requestAnimationFrame(frame);
  };
  window.requestAnimationFrame(frame);
}

// ------------------------------------------------------------------ the floor page

/** The element's script tag on the checkout page (the shop serves the script-tag build there). */
const ELEMENT_SCRIPT = /\/assets\/pay-with-bank\.js(\?|$)/;

/**
 * The floor's script, in place of the element's (same URL, same tag, same policy): the one request
 * the bank list needs, sent first, then the `<pay-with-bank>` element replaced by a plain list.
 */
const FLOOR_SCRIPT = `const el = document.querySelector('pay-with-bank');
const answer = fetch((el.getAttribute('server-url') ?? '') + '/v1/checkout/session', {
  headers: { Accept: 'application/json', Authorization: 'Bearer ' + el.getAttribute('session-token') },
  credentials: 'omit',
});
const list = Object.assign(document.createElement('ul'), { id: 'floor-banks' });
list.dataset.server = el.getAttribute('server-url') ?? '';
el.replaceWith(list);
const { banks } = await (await answer).json();
list.replaceChildren(...(banks ?? []).map((bank) => Object.assign(document.createElement('li'), { textContent: bank.name })));
`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ------------------------------------------------------------------ one load

async function measureLoad(browser, checkoutUrl, { latency = 0, floor = false, bundle }) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.addInitScript(instrument);
    // The element's script is answered here for both pages, after the latency the browser adds to
    // every other request: the shop's bundle for the widget, the floor's script for the floor. (A
    // document answered here would be treated differently: Chromium's emulation then leaves its
    // CORS preflights without latency, so the documents come from the shop as they are.)
    await page.route(ELEMENT_SCRIPT, async (route) => {
      await sleep(latency);
      await route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' },
        body: floor ? FLOOR_SCRIPT : bundle,
      });
    });
    const cdp = await context.newCDPSession(page);
    // Times in the browser's monotonic clock (ms); converted to the page's clock below.
    const requests = new Map();
    cdp.on('Network.requestWillBeSent', (e) => {
      if (e.redirectResponse) return; // same request id, new hop: not expected here
      requests.set(e.requestId, {
        url: e.request.url,
        method: e.request.method,
        preflight: e.initiator.type === 'preflight',
        issued: e.timestamp * 1000, // when the page asked for it
        sent: null, // when the network stack started it (a request behind a CORS preflight: after it)
        end: null,
      });
    });
    cdp.on('Network.responseReceived', (e) => {
      const r = requests.get(e.requestId);
      if (r && e.response.timing) r.sent = e.response.timing.requestTime * 1000;
    });
    const finish = (e) => {
      const r = requests.get(e.requestId);
      if (r && r.end === null) r.end = e.timestamp * 1000;
    };
    cdp.on('Network.loadingFinished', finish);
    cdp.on('Network.loadingFailed', finish);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency, // added to every request the page makes, CORS preflights included
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await cdp.send('Performance.enable');

    // Only until the response commits: waiting for `load` would delay the script's watching (and its click).
    await page.goto(checkoutUrl, { waitUntil: 'commit' });
    let clicked = false;
    try {
      // The first interactive screen: the bank list, or the method choice, where the script clicks
      // "Pay with your bank" at once: a real mouse click (trusted input events) at the button's
      // centre, one protocol round trip, rather than locator.click()'s actionability checks.
      const first = await page.waitForFunction(
        () => {
          const marks = window.__pwbBench;
          if (marks.firstScreen === null) return null;
          if (marks.firstScreenName !== 'method-choice') return { screen: marks.firstScreenName };
          const root = document.querySelector('pay-with-bank').shadowRoot;
          const r = root.querySelector('[part~="method"][data-method="bank"]')?.getBoundingClientRect();
          const inView =
            r && r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth;
          return {
            screen: marks.firstScreenName,
            x: inView ? r.x + r.width / 2 : null,
            y: r ? r.y + r.height / 2 : null,
          };
        },
        null,
        { polling: 'raf', timeout: TIMEOUT_MS },
      );
      const { screen, x, y } = await first.jsonValue();
      if (screen === 'method-choice' && !floor) {
        if (x === null) {
          await page
            .locator('pay-with-bank')
            .getByRole('button', { name: /^pay with your bank/i })
            .click();
        } else {
          await page.mouse.click(x, y);
        }
        clicked = true;
      }
      await page.waitForFunction(() => window.__pwbBench.rows !== null, null, { polling: 'raf', timeout: TIMEOUT_MS });
    } catch (error) {
      const marks = await page.evaluate(() => window.__pwbBench).catch(() => null);
      throw new Error(
        `no bank rows within ${TIMEOUT_MS} ms (widget screen: ${marks?.screen ?? '?'}, errors: ${marks?.errors.join(', ') || 'none'}): ${error.message.split('\n')[0]}`,
        { cause: error },
      );
    }
    const { marks, serverUrl } = await page.evaluate(() => ({
      marks: window.__pwbBench,
      serverUrl:
        document.querySelector('pay-with-bank')?.getAttribute('server-url') ||
        document.getElementById('floor-banks')?.dataset.server ||
        window.location.origin,
    }));
    const serverOrigin = new URL(serverUrl, checkoutUrl).origin;
    // NavigationStart is on the same monotonic clock as the Network events: 0 on the page's clock.
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name) => metrics.find((m) => m.name === name).value;
    const zero = metric('NavigationStart') * 1000;
    const all = [...requests.values()].map((r) => ({
      ...r,
      start: r.issued - zero,
      // The script answered by the bench has no network start of its own: it went out when issued.
      sent: (ELEMENT_SCRIPT.test(r.url) ? r.issued : (r.sent ?? r.issued)) - zero,
      end: r.end === null ? null : r.end - zero,
    }));
    const before = all.filter((r) => r.start < marks.rows);
    const server = before.filter((r) => new URL(r.url).origin === serverOrigin);
    const done = (list) => list.filter((r) => r.end !== null && r.end <= marks.rows);
    return {
      marks,
      clicked,
      // Main-thread time spent in tasks and in script by now (just after the rows): the page's own
      // work, which other processes on the machine disturb less than they disturb wall time.
      busy: { task: metric('TaskDuration') * 1000, script: metric('ScriptDuration') * 1000 },
      list: before.sort((a, b) => a.start - b.start),
      serverOrigin,
      requests: before.length,
      serverRequests: server.length,
      preflights: server.filter((r) => r.preflight).length,
      chainAll: longestChain(done(before)),
      chainServer: longestChain(done(server)),
      chainToSession: chainTo(done(before), (r) => r.method === 'GET' && /\/v1\/checkout\/session$/.test(r.url)),
    };
  } finally {
    await context.close();
  }
}

/**
 * The longest chain that ends in the last request matching `target` (the session read the rows wait
 * for): the round trips on the rows' critical path, without chunks prefetched meanwhile.
 */
function chainTo(requests, target) {
  const last = requests.filter(target).at(-1);
  return last ? longestChain(requests.filter((r) => r === last || (r.end !== null && r.end <= last.sent))) : [];
}

/**
 * Longest sequence of requests where each one went out (network start) after the previous one had
 * ended: the chained round trips. Of equal-length chains, the one whose links ended last is shown.
 */
function longestChain(requests) {
  const sorted = [...requests].sort((a, b) => a.sent - b.sent);
  const best = sorted.map(() => ({ length: 1, prev: -1 }));
  for (let j = 0; j < sorted.length; j++) {
    for (let i = 0; i < j; i++) {
      if (sorted[i].end > sorted[j].sent) continue;
      const longer = best[i].length + 1 > best[j].length;
      const tie = best[i].length + 1 === best[j].length && sorted[i].end > sorted[best[j].prev].end;
      if (longer || tie) best[j] = { length: best[i].length + 1, prev: i };
    }
  }
  let at = -1;
  best.forEach((b, i) => {
    if (at < 0 || b.length > best[at].length) at = i;
  });
  const chain = [];
  for (; at >= 0; at = best[at].prev) chain.unshift(sorted[at]);
  return chain;
}

// ------------------------------------------------------------------ run and report

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
});
// The element's script-tag entry as the shop serves it, fetched once (see measureLoad).
const bundleResponse = await fetch(`${shop}/assets/pay-with-bank.js`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
if (!bundleResponse.ok) throw new Error(`GET ${shop}/assets/pay-with-bank.js answered ${bundleResponse.status}`);
const bundle = await bundleResponse.text();
const FLOOR = 'floor';
console.log(
  `element script as the shop serves it: ${new TextEncoder().encode(bundle).length} B, gzip -9 ${gzipSync(bundle, { level: 9 }).length} B`,
);
/** results per latency: kind (currency, or the floor) → loads */
const results = new Map(latencies.map((l) => [l, new Map([...currencies, FLOOR].map((k) => [k, []]))]));
try {
  for (const latency of latencies) {
    for (let i = 0; i < runs + 1; i++) {
      for (const kind of [...currencies, FLOOR]) {
        const url = await createOrder(kind === FLOOR ? currencies.at(-1) : kind);
        const result = await measureLoad(browser, url, { latency, floor: kind === FLOOR, bundle });
        if (i > 0) results.get(latency).get(kind).push(result); // the first load of each kind warms caches
      }
    }
  }
} finally {
  await browser.close();
}

const quantile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
};
const timing = (values) =>
  `median ${quantile(values, 0.5).toFixed(0)} ms (p10 ${quantile(values, 0.1).toFixed(0)}, p90 ${quantile(values, 0.9).toFixed(0)})`;
const count = (values) => {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return min === max ? `${min}` : `${quantile(values, 0.5)} (median; ${min}–${max})`;
};
const label = (r) => `${r.preflight ? 'preflight' : r.method} ${new URL(r.url).pathname}`;
const describe = (values) => [...new Set(values)].join(' / ');

const median = (values) => quantile(values, 0.5);
console.log(
  `Checkout page load → bank rows visible: ${runs} fresh loads per kind and latency (one browser context each, after 1 warm-up), shop ${shop}`,
);
for (const [latency, byKind] of results) {
  console.log(`\n=== network latency ${latency} ms per request (Chromium emulation)`);
  for (const [kind, list] of byKind) report(kind, list);
  const floors = byKind.get(FLOOR);
  const floor = median(floors.map((r) => r.marks.rows));
  for (const currency of currencies) {
    const list = byKind.get(currency);
    const direct = list.filter((r) => !r.clicked);
    if (direct.length) {
      const rows = median(direct.map((r) => r.marks.rows));
      // Each load against the floor's load of the same round (loaded right after it).
      const paired = median(list.flatMap((r, i) => (r.clicked ? [] : [r.marks.rows / floors[i].marks.rows])));
      console.log(
        `  ${currency} bank rows vs the floor      ${(rows / floor).toFixed(2)}× (median ${rows.toFixed(0)} ms vs ${floor.toFixed(0)} ms); median of the rounds' ratios ${paired.toFixed(2)}×`,
      );
    } else {
      const first = median(list.map((r) => r.marks.firstScreen));
      console.log(
        `  ${currency} first screen vs the floor   ${(first / floor).toFixed(2)}× (median ${first.toFixed(0)} ms vs ${floor.toFixed(0)} ms; its rows come after a click)`,
      );
    }
  }
}

function report(kind, list) {
  const m = list.map((r) => r.marks);
  const clicks = list.filter((r) => r.clicked).length;
  if (kind === FLOOR) {
    console.log(
      `\nfloor page: the same checkout document, the element's script replaced by one request and a plain list`,
    );
  } else {
    console.log(
      `\n${kind} session, methods ${describe(m.map((x) => (x.methods ?? []).join(' + ')))}: first screen ${describe(m.map((x) => x.firstScreenName))}` +
        (clicks === 0 ? ', no click' : `, scripted click on "Pay with your bank" in ${clicks} of ${list.length} loads`),
    );
    console.log(`  first interactive widget screen  ${timing(m.map((x) => x.firstScreen))}`);
  }
  if (clicks > 0) {
    const clicked = list.filter((r) => r.clicked).map((r) => r.marks);
    console.log(`  scripted click                   ${timing(clicked.map((x) => x.click))}`);
    console.log(`  click → bank rows visible        ${timing(clicked.map((x) => x.rows - x.click))}`);
  }
  console.log(
    `  bank rows visible                ${timing(m.map((x) => x.rows))}${clicks > 0 ? ' (includes the click)' : ''}; ${describe(m.map((x) => x.rowCount))} bank rows`,
  );
  console.log(
    `  main thread busy by the rows     tasks ${timing(list.map((r) => r.busy.task))}, of it script ${timing(list.map((r) => r.busy.script))}`,
  );
  const server = list[0].serverOrigin;
  console.log(
    `  requests before the rows         all ${count(list.map((r) => r.requests))}, to the companion server ${server} ${count(list.map((r) => r.serverRequests))} (of them CORS preflights ${count(list.map((r) => r.preflights))})`,
  );
  console.log(
    `  chained round trips              all requests ${count(list.map((r) => r.chainAll.length))}, companion server ${count(list.map((r) => r.chainServer.length))}, up to the session read ${count(list.map((r) => r.chainToSession.length))}`,
  );
  console.log(`  requests (last load)             ${list.at(-1).list.map(label).join(', ')}`);
  console.log(`  chain to the session (last load) ${list.at(-1).chainToSession.map(label).join(' → ')}`);
  console.log(`  longest chain (last load)        ${list.at(-1).chainAll.map(label).join(' → ')}`);
  const longest = list.reduce((a, b) => (b.chainAll.length > a.chainAll.length ? b : a));
  if (longest.chainAll.length > list.at(-1).chainAll.length) {
    console.log(`  longest chain (longest load)     ${longest.chainAll.map(label).join(' → ')}`);
  }
}
