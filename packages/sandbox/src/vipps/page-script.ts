/**
 * The one script of the sandbox's Vipps pages, served from a route (`script-src 'self'`, no inline
 * code) and loaded only by the two pages that wait: the landing page after "Next" (waiting for the
 * user's answer on the phone) and the sandbox phone before the push (waiting for the request).
 *
 * Instead of a meta refresh (which reloads the page under a screen reader's cursor and fails WCAG
 * 2.2.1 / axe `meta-refresh`), it polls `{basePath}/landing/status?token=…` and only navigates once
 * there is something new to show. Between polls it keeps the countdown running. If the sandbox
 * cannot be reached it says so in the page's polite live region (`role="status"`) and keeps trying.
 *
 * The page describes what to wait for on `<main>`:
 *   data-wait-status-url   the status endpoint (same origin)
 *   data-wait-next-url     where to go once the wait is over
 *   data-wait-for          `decision` (status leaves "waiting") or `push` (stage leaves "landing" too)
 *   data-wait-interval-ms  poll interval
 *
 * Plain ES2017, no build step: it runs as served.
 */
export const VIPPS_WAITING_SCRIPT = `'use strict';
(function () {
  var main = document.querySelector('main[data-wait-status-url]');
  if (!main) return;
  var statusUrl = main.getAttribute('data-wait-status-url');
  var nextUrl = main.getAttribute('data-wait-next-url');
  var waitFor = main.getAttribute('data-wait-for');
  var intervalMs = Math.max(500, Number(main.getAttribute('data-wait-interval-ms')) || 2000);
  var countdown = main.querySelector('.countdown');
  var problem = main.querySelector('[data-wait-problem]');
  var deadline = null;
  var failures = 0;

  function format(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ':' + (rest < 10 ? '0' : '') + rest;
  }
  function tick() {
    if (countdown && deadline !== null) countdown.textContent = format(deadline - Date.now());
  }
  function say(text) {
    if (problem && problem.textContent !== text) problem.textContent = text;
  }
  function isOver(state) {
    if (state.status !== 'waiting') return true;
    return waitFor === 'push' && state.stage !== 'landing';
  }
  function poll() {
    fetch(statusUrl, { headers: { accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' })
      .then(function (response) {
        // Unknown token (e.g. the sandbox was reset): the next page explains it.
        if (response.status === 404) return { status: 'gone' };
        if (!response.ok) throw new Error('status ' + response.status);
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        say('');
        if (isOver(state)) {
          window.location.replace(nextUrl);
          return;
        }
        if (typeof state.timeLeftMs === 'number') deadline = Date.now() + state.timeLeftMs;
        tick();
        window.setTimeout(poll, intervalMs);
      })
      .catch(function () {
        failures += 1;
        if (failures >= 3) say(' The sandbox cannot be reached right now. Still trying.');
        window.setTimeout(poll, intervalMs);
      });
  }

  if (countdown) {
    var shown = /^(\\d+):(\\d\\d)$/.exec(countdown.textContent.trim());
    if (shown) deadline = Date.now() + (Number(shown[1]) * 60 + Number(shown[2])) * 1000;
    window.setInterval(tick, 1000);
  }
  window.setTimeout(poll, intervalMs);
})();
`;
