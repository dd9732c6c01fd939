/**
 * The checkout flow as a table: every state × every event, with no DOM, no element and no network.
 * Each state below is one of the flow's kinds as the shopper meets it; each event one of those that
 * can arrive (from the screens or as an answer). Whatever the table does not list leaves the state
 * exactly as it was (the same object): a second click, an answer nobody waits for any more.
 */
import { expect } from '@open-wc/testing';
import type { CheckoutPayment, StartPaymentRequest } from '@pay-with-bank/protocol';
import {
  MISSING_TOKEN,
  announcement,
  effects,
  pollDelay,
  screenOf,
  transition,
  type Context,
  type Effect,
  type Event,
  type Problem,
  type Setup,
  type State,
} from '../src/flow/index.js';
import { ALL_BANKS, CHOOSE_LATER, type BankForm } from '../src/methods/bank-form.js';
import type { VippsForm } from '../src/methods/vipps.js';
import { BANKS, PAYMENT_ID, makePayment, makeSession } from './fixtures.js';

const problem = (code: Problem['code'], retryable: boolean, details?: Record<string, unknown>): Problem => ({
  code,
  message: `${code} happened`,
  retryable,
  details: details ?? null,
});

const setup: Setup = {
  methods: [],
  polling: { interval: 1000, limit: 3 },
  highlightedBanks: [],
  preselectedBank: null,
  remembered: {},
  remember: false,
};
const session = makeSession({ banks: BANKS['DK']! });
const bankForm: BankForm = {
  country: 'DK',
  query: '',
  selected: 'dk-nordea',
  missing: false,
  locate: null,
  failedLogos: [],
};
const ctx: Context = {
  session,
  setup,
  methods: ['bank', 'vipps'],
  data: { 'banks:DK': { ok: true, value: BANKS['DK'] } },
  forms: { bank: bankForm },
  attempt: null,
  replace: false,
};
const request: StartPaymentRequest = { method: 'bank', attemptId: 'att_first_0001', bankId: 'dk-nordea' };
const attempt = {
  id: 'att_first_0001',
  intent: JSON.stringify({ method: 'bank', bankId: 'dk-nordea' }),
  request,
  spent: false,
};
const pending = makePayment({ status: 'pending' });
const completed = makePayment({ status: 'completed' });
const failed = makePayment({ status: 'failed', bankId: 'dk-nordea' });
const redirectUrl = 'https://bank.example.test/authorize/1';

const STATES = {
  'no-token': { kind: 'no-token' },
  express: { kind: 'express', error: null },
  'creating-session': { kind: 'creating-session', start: { attemptId: 'att_buy_00001', mobile: false } },
  loading: { kind: 'loading', setup, returning: null },
  'loading (express)': {
    kind: 'loading',
    setup,
    returning: null,
    express: { attemptId: 'att_buy_00001', mobile: false },
  },
  'loading (return)': { kind: 'loading', setup, returning: PAYMENT_ID },
  'failed (load)': {
    kind: 'failed',
    error: problem('internal_error', true),
    retry: { kind: 'load', setup, returning: null },
  },
  'failed (no token)': { kind: 'failed', error: MISSING_TOKEN, retry: null },
  'failed (express)': { kind: 'failed', error: problem('network_error', true), retry: { kind: 'express' } },
  methods: { kind: 'methods', ctx },
  form: { kind: 'form', ctx, method: 'bank', startError: null },
  starting: { kind: 'starting', ctx: { ...ctx, attempt }, method: 'bank', attempt },
  opening: {
    kind: 'opening',
    ctx,
    method: 'bank',
    attemptId: attempt.id,
    refusal: problem('payment_in_progress', false, { paymentId: PAYMENT_ID }),
  },
  redirecting: { kind: 'redirecting', ctx, payment: makePayment({ status: 'created' }), url: redirectUrl },
  waiting: { kind: 'waiting', ctx, paymentId: PAYMENT_ID, payment: pending, checks: 0, note: false },
  'result (failed)': { kind: 'result', ctx, payment: failed, outcome: 'failed' },
  'result (completed)': { kind: 'result', ctx, payment: completed, outcome: 'completed' },
  'result (processing)': { kind: 'result', ctx, payment: pending, outcome: 'processing' },
} satisfies Record<string, State>;
type StateName = keyof typeof STATES;

const EVENTS = {
  'await-token': { type: 'await-token' },
  'token-timeout': { type: 'token-timeout' },
  'express-ready': { type: 'express-ready' },
  load: { type: 'load', setup, returning: null },
  'express-unavailable': { type: 'express-unavailable', error: problem('network_error', true) },
  'session-not-created': { type: 'session-not-created', error: problem('session_not_created', true) },
  buy: { type: 'buy', attemptId: 'att_buy_00002', mobile: false },
  configure: { type: 'configure', setup: { ...setup, highlightedBanks: ['dk-nordea'] } },
  session: { type: 'session', session },
  'session-failed': { type: 'session-failed', error: problem('network_error', true) },
  data: { type: 'data', key: 'banks:SE', value: BANKS['SE'] },
  'data-failed': { type: 'data-failed', key: 'banks:SE', error: problem('provider_unavailable', true) },
  started: { type: 'started', attemptId: attempt.id, payment: makePayment({ status: 'created' }), url: redirectUrl },
  'start-failed': { type: 'start-failed', attemptId: attempt.id, error: problem('network_error', true) },
  'open-payment': { type: 'open-payment', attemptId: attempt.id, session, payment: pending },
  'open-payment-failed': { type: 'open-payment-failed', attemptId: attempt.id },
  refreshed: { type: 'refreshed', paymentId: PAYMENT_ID, check: 0, payment: pending, at: 0 },
  streamed: { type: 'streamed', paymentId: PAYMENT_ID, payment: pending },
  'stream-ended': { type: 'stream-ended', paymentId: PAYMENT_ID, reason: 'lifetime' },
  'stream-failed': { type: 'stream-failed', paymentId: PAYMENT_ID, error: problem('network_error', true) },
  'refresh-failed': {
    type: 'refresh-failed',
    paymentId: PAYMENT_ID,
    check: 0,
    error: problem('provider_unavailable', true),
    at: 0,
  },
  choose: { type: 'choose', method: 'vipps' },
  input: { type: 'input', method: 'bank', input: { type: 'search', query: 'nor' } },
  pay: { type: 'pay', attemptId: 'att_second_0002', mobile: false },
  'retry-start': { type: 'retry-start', attemptId: 'att_second_0002' },
  'retry-data': { type: 'retry-data', key: 'banks:DK' },
  retry: { type: 'retry' },
  back: { type: 'back' },
  'try-again': { type: 'try-again' },
  'choose-another': { type: 'choose-another' },
  'check-again': { type: 'check-again' },
} satisfies Record<Event['type'], Event>;
type EventName = keyof typeof EVENTS;

/** The kind each (state, event) pair leads to; '=' the state itself, unchanged. Unlisted pairs: '='. */
const WITH_CTX: StateName[] = [
  'methods',
  'form',
  'starting',
  'opening',
  'redirecting',
  'waiting',
  'result (failed)',
  'result (completed)',
  'result (processing)',
];
const TABLE: Partial<Record<StateName, Partial<Record<EventName, State['kind']>>>> = {
  'no-token': { 'token-timeout': 'failed' },
  express: { buy: 'creating-session', 'express-unavailable': 'failed' },
  'creating-session': { 'session-not-created': 'express' },
  loading: { session: 'methods', 'session-failed': 'failed', configure: 'loading' },
  // Express: the session read goes straight on with the session's first method, as if Pay were
  // pressed on its form; this session's first is the bank, which needs a choice: its form, marked.
  'loading (express)': { session: 'form', 'session-failed': 'failed', configure: 'loading' },
  'loading (return)': { session: 'waiting', 'session-failed': 'failed', configure: 'loading' },
  'failed (load)': { retry: 'loading' },
  'failed (express)': { retry: 'express' },
  methods: { choose: 'form' },
  form: { input: 'form', pay: 'starting', 'retry-data': 'form', back: 'methods' },
  starting: {
    input: 'starting',
    started: 'redirecting',
    'start-failed': 'form',
    'retry-data': 'starting',
    back: 'methods',
  },
  opening: {
    input: 'opening',
    'open-payment': 'waiting',
    'open-payment-failed': 'form',
    'retry-data': 'opening',
    back: 'methods',
  },
  waiting: {
    refreshed: 'waiting',
    'refresh-failed': 'waiting',
    streamed: 'waiting',
    'stream-ended': 'waiting',
    'stream-failed': 'waiting',
    'choose-another': 'methods',
  },
  'result (failed)': { 'try-again': 'form', 'choose-another': 'methods' },
  'result (processing)': { 'check-again': 'waiting' },
};

function expected(state: StateName, event: EventName): State['kind'] | '=' {
  if (event === 'await-token') return 'no-token';
  if (event === 'express-ready') return 'express';
  if (event === 'load') return 'loading';
  const listed = TABLE[state]?.[event];
  if (listed) return listed;
  const ctxUpdate = event === 'configure' || event === 'data' || event === 'data-failed';
  if (ctxUpdate && WITH_CTX.includes(state)) return STATES[state].kind;
  return '=';
}

const run = (state: State, ...events: Event[]) => events.reduce(transition, state);
const only = <K extends State['kind']>(state: State, kind: K) => {
  expect(state.kind).to.equal(kind);
  return state as Extract<State, { kind: K }>;
};
const effect = <T extends Effect['type']>(state: State, type: T) =>
  effects(state).filter((e): e is Extract<Effect, { type: T }> => e.type === type);

describe('checkout flow: every state × every event', () => {
  for (const [stateName, state] of Object.entries(STATES) as [StateName, State][]) {
    describe(stateName, () => {
      for (const [eventName, event] of Object.entries(EVENTS) as [EventName, Event][]) {
        const want = expected(stateName, eventName);
        it(`${eventName} → ${want === '=' ? 'unchanged' : want}`, () => {
          const next = transition(state, event);
          if (want === '=') expect(next).to.equal(state);
          else expect(next.kind).to.equal(want);
          // Whatever happens, the state it leads to can say what it shows and asks for.
          expect(screenOf(next)).to.be.a('string');
          expect(effects(next)).to.be.an('array');
        });
      }
    });
  }
});

describe('checkout flow: express mode (a "buy now" button on a product page)', () => {
  const expressSession = makeSession({ methods: ['vipps'], express: true });
  const buy: Event = { type: 'buy', attemptId: 'att_buy_00002', mobile: true };

  it('the button creates the session once (a second press while it is created changes nothing), then starts the payment at once', () => {
    const creating = only(run(STATES.express, buy), 'creating-session');
    expect(run(creating, { ...buy, attemptId: 'att_buy_00003' })).to.equal(creating);
    expect(effect(creating, 'create-session')).to.have.length(1);
    // The token arrives: the controller reads the session, carrying the press's attempt and device.
    const loading = run(creating, { type: 'load', setup, returning: null, express: creating.start });
    const starting = only(run(loading, { type: 'session', session: expressSession }), 'starting');
    expect(starting.method).to.equal('vipps');
    expect(effect(starting, 'start')[0]!.request).to.deep.equal({
      method: 'vipps',
      attemptId: 'att_buy_00002',
      mobile: true,
    });
    expect(screenOf(STATES.express)).to.equal('express');
    expect(screenOf(creating)).to.equal('express');
  });

  it('createSession failing shows the button again with the error, and the next press tries again', () => {
    const creating = run(STATES.express, buy);
    const error = problem('session_not_created', true);
    const again = only(run(creating, { type: 'session-not-created', error }), 'express');
    expect(again.error).to.equal(error);
    expect(effects(again)).to.deep.equal([]);
    expect(run(again, buy).kind).to.equal('creating-session');
  });

  it('a session read without a pending press (back from the provider) shows its payment as usual', () => {
    const withPayment = makeSession({ methods: ['vipps'], express: true, payment: pending });
    const loading = run(STATES.express, { type: 'load', setup, returning: null });
    expect(run(loading, { type: 'session', session: withPayment }).kind).to.equal('waiting');
  });
});

describe('checkout flow: live status (the server pushes the payment down one stream)', () => {
  const live: Context = { ...ctx, setup: { ...setup, live: true } };
  const watching = { ...STATES.waiting, ctx: live } as Extract<State, { kind: 'waiting' }>;

  it('waits with one stream and no polling; each pushed payment updates the screen, a final one shows the result', () => {
    expect(effects(watching)).to.deep.equal([
      { key: `watch:${PAYMENT_ID}:0`, type: 'watch', paymentId: PAYMENT_ID, delay: 0 },
    ]);
    const authorized = makePayment({ status: 'pending', providerStatus: 'AUTHORIZE_PENDING' });
    const updated = only(run(watching, { type: 'streamed', paymentId: PAYMENT_ID, payment: authorized }), 'waiting');
    expect(updated.payment).to.equal(authorized);
    expect(effects(updated)).to.deep.equal(effects(watching)); // the same stream goes on
    const done = only(run(updated, { type: 'streamed', paymentId: PAYMENT_ID, payment: completed }), 'result');
    expect(done.outcome).to.equal('completed');
    // Another payment's message changes nothing.
    expect(run(watching, { type: 'streamed', paymentId: 'pay_other', payment: completed })).to.equal(watching);
  });

  it('a stream ended for its age is opened again (after a moment); one that fails hands over to polling', () => {
    const again = only(run(watching, { type: 'stream-ended', paymentId: PAYMENT_ID, reason: 'lifetime' }), 'waiting');
    expect(effects(again)).to.deep.equal([
      { key: `watch:${PAYMENT_ID}:1`, type: 'watch', paymentId: PAYMENT_ID, delay: 1000 },
    ]);
    const polling = run(again, { type: 'stream-failed', paymentId: PAYMENT_ID, error: problem('network_error', true) });
    expect(effect(polling, 'watch')).to.deep.equal([]);
    expect(effect(polling, 'refresh')).to.have.length(1);
    // A late message of the failed stream is ignored: polling decides from here on.
    expect(run(polling, { type: 'streamed', paymentId: PAYMENT_ID, payment: completed })).to.equal(polling);
  });

  it('without liveStatus (or a server without the stream) the wait is polling, as before', () => {
    expect(effect(STATES.waiting, 'watch')).to.deep.equal([]);
    expect(effect(STATES.waiting, 'refresh')).to.have.length(1);
  });
});

describe('checkout flow: journeys', () => {
  const form = STATES.form as Extract<State, { kind: 'form' }>;
  const pay: Event = { type: 'pay', attemptId: 'att_second_0002', mobile: false };

  it('double click: the second Pay while the first is on its way changes nothing and asks for nothing more', () => {
    const starting = run(form, pay);
    expect(run(starting, pay, { ...pay, attemptId: 'att_third_0003' })).to.equal(starting);
    expect(effect(starting, 'start')).to.have.length(1);
    expect(effect(starting, 'start')[0]!.request).to.deep.equal({
      method: 'bank',
      bankId: 'dk-nordea',
      attemptId: 'att_second_0002',
    });
  });

  it('a late answer after "back" is ignored, and the same choice again repeats the same attempt', () => {
    const starting = only(run(form, pay), 'starting');
    const back = run(starting, { type: 'back' });
    expect(back.kind).to.equal('methods');
    expect(effects(back)).to.deep.equal([]); // the start request is no longer wanted: aborted
    const late: Event = { type: 'started', attemptId: starting.attempt.id, payment: pending, url: redirectUrl };
    expect(transition(back, late)).to.equal(back);
    // Back at the bank list, Pay with the same bank: the server may already have that payment.
    const again = only(
      run(back, { type: 'choose', method: 'bank' }, { ...pay, attemptId: 'att_fresh_0004' }),
      'starting',
    );
    expect(again.attempt.id).to.equal(starting.attempt.id);
    // Another bank is another attempt.
    const other = only(
      run(
        back,
        { type: 'choose', method: 'bank' },
        { type: 'input', method: 'bank', input: { type: 'select', value: 'dk-danske' } },
        { ...pay, attemptId: 'att_fresh_0004' },
      ),
      'starting',
    );
    expect(other.attempt.id).to.equal('att_fresh_0004');
  });

  it('a refresh answering after the result is ignored (and the result is reported once)', () => {
    const waiting = STATES.waiting;
    const result = run(waiting, { type: 'refreshed', paymentId: PAYMENT_ID, check: 0, payment: completed, at: 0 });
    expect(only(result, 'result').outcome).to.equal('completed');
    expect(effect(result, 'report').map((e) => e.key)).to.deep.equal([`report:${PAYMENT_ID}:completed`]);
    for (const late of [
      { type: 'refreshed', paymentId: PAYMENT_ID, check: 0, payment: pending, at: 0 },
      { type: 'refreshed', paymentId: PAYMENT_ID, check: 1, payment: failed, at: 0 },
      { type: 'refresh-failed', paymentId: PAYMENT_ID, check: 0, error: problem('not_found', false), at: 0 },
    ] satisfies Event[]) {
      expect(transition(result, late)).to.equal(result);
    }
    // An answer to an older check, or about another payment, is not this check's either.
    const second = run(waiting, { type: 'refreshed', paymentId: PAYMENT_ID, check: 0, payment: pending, at: 0 });
    expect(
      transition(second, { type: 'refreshed', paymentId: PAYMENT_ID, check: 0, payment: completed, at: 0 }),
    ).to.equal(second);
    expect(
      transition(second, {
        type: 'refreshed',
        paymentId: 'pay_someoneelse012345',
        check: 1,
        payment: completed,
        at: 0,
      }),
    ).to.equal(second);
  });

  it('a network error mid-start shows the error and repeats the same attempt; a provider refusal starts a new one', () => {
    const starting = only(run(form, pay), 'starting');
    const down = only(
      run(starting, { type: 'start-failed', attemptId: starting.attempt.id, error: problem('network_error', true) }),
      'form',
    );
    expect(down.startError?.code).to.equal('network_error');
    expect(screenOf(down)).to.equal('bank-list');
    const retried = only(run(down, { type: 'retry-start', attemptId: 'att_unused_0005' }), 'starting');
    expect(retried.attempt.id).to.equal(starting.attempt.id);
    expect(only(run(down, { ...pay, attemptId: 'att_unused_0005' }), 'starting').attempt.id).to.equal(
      starting.attempt.id,
    );

    // The provider failed the attempt and the server recorded it: the same choice is a new attempt.
    const refused = run(retried, {
      type: 'start-failed',
      attemptId: starting.attempt.id,
      error: problem('provider_unavailable', true),
    });
    const fresh = only(run(refused, { type: 'retry-start', attemptId: 'att_new_0006' }), 'starting');
    expect(fresh.attempt.id).to.equal('att_new_0006');
    expect(fresh.attempt.request.bankId).to.equal('dk-nordea');
  });

  it('a return in a fresh tab: the session, then the payment the URL names, checked at once until final', () => {
    const loading = run({ kind: 'no-token' }, { type: 'load', setup, returning: PAYMENT_ID });
    expect(effects(loading).map((e) => e.type)).to.deep.equal(['session']);
    // The session's latest payment is another one: the named one is not known until it is checked.
    const other = makePayment({ id: 'pay_otherpayment01234567', status: 'failed' });
    const waiting = only(run(loading, { type: 'session', session: makeSession({ payment: other }) }), 'waiting');
    expect([waiting.paymentId, waiting.payment]).to.deep.equal([PAYMENT_ID, null]);
    expect(effect(waiting, 'refresh')).to.deep.include({
      key: `refresh:${PAYMENT_ID}:0`,
      type: 'refresh',
      paymentId: PAYMENT_ID,
      check: 0,
      delay: 0,
    });
    const checking = run(waiting, { type: 'refreshed', paymentId: PAYMENT_ID, check: 0, payment: pending, at: 0 });
    expect(announcement(waiting, checking)).to.equal('status.pending');
    expect(effect(checking, 'refresh')[0]!.delay).to.equal(1000);
    const done = run(checking, { type: 'refreshed', paymentId: PAYMENT_ID, check: 1, payment: completed, at: 0 });
    expect(only(done, 'result').outcome).to.equal('completed');
    expect(announcement(checking, done)).to.equal('result.completed.heading');
  });

  it('a second tab’s payment in progress: that payment is shown, and leaving it is explicit (replace)', () => {
    const starting = only(run(form, pay), 'starting');
    const opening = only(
      run(starting, {
        type: 'start-failed',
        attemptId: starting.attempt.id,
        error: problem('payment_in_progress', false, { paymentId: PAYMENT_ID }),
      }),
      'opening',
    );
    expect(screenOf(opening)).to.equal('bank-list'); // Pay stays disabled while it loads
    expect(run(opening, pay)).to.equal(opening);
    expect(effect(opening, 'find-open')[0]).to.deep.include({ paymentId: PAYMENT_ID, attemptId: starting.attempt.id });
    const open = { type: 'open-payment', attemptId: starting.attempt.id, session } as const;
    const shown = only(run(opening, { ...open, payment: pending }), 'waiting');
    expect(shown.note).to.equal(true);
    expect(announcement(opening, shown)).to.equal('waiting.openPayment');
    expect(only(run(opening, { ...open, payment: completed }), 'result').outcome).to.equal('completed');
    expect(only(run(opening, { ...open, payment: null }), 'form').startError?.code).to.equal('payment_in_progress');
    expect(
      only(run(opening, { type: 'open-payment-failed', attemptId: starting.attempt.id }), 'form').startError?.code,
    ).to.equal('payment_in_progress');
    // "Choose another way to pay" while it is open: the next start replaces it.
    const replacing = only(run(shown, { type: 'choose-another' }, { type: 'choose', method: 'bank' }, pay), 'starting');
    expect(replacing.attempt.request).to.include({ replace: true, bankId: 'dk-nordea' });
    const redirecting = run(replacing, {
      type: 'started',
      attemptId: replacing.attempt.id,
      payment: pending,
      url: redirectUrl,
    });
    expect(only(redirecting, 'redirecting').ctx.replace).to.equal(false);
  });

  it('success is the server’s `settled`, not a method or a status', () => {
    const reservedBank = makePayment({ method: 'bank', status: 'authorized', settled: true, next: { type: 'none' } });
    const authorizedVipps = makePayment({
      method: 'vipps',
      status: 'authorized',
      settled: false,
      next: { type: 'wait', pollAfterMs: 2000, until: null },
    });
    const answer = (payment: CheckoutPayment): Event => ({
      type: 'refreshed',
      paymentId: PAYMENT_ID,
      check: 0,
      payment,
      at: 0,
    });
    expect(only(run(STATES.waiting, answer(reservedBank)), 'result').outcome).to.equal('authorized');
    const still = only(run(STATES.waiting, answer(authorizedVipps)), 'waiting');
    expect(effect(still, 'refresh')[0]!.delay).to.equal(2000); // the server's pollAfterMs
  });

  it('stops at the poll limit with "still processing", unless the provider’s countdown still runs', () => {
    const until = '2030-01-01T00:00:00.000Z';
    const counting = makePayment({ next: { type: 'wait', pollAfterMs: 0, until } });
    const answers = (payment: CheckoutPayment, at: number): Event[] =>
      [0, 1, 2].map((check) => ({ type: 'refreshed', paymentId: PAYMENT_ID, check, payment, at }));
    expect(only(run(STATES.waiting, ...answers(pending, 0)), 'result').outcome).to.equal('processing');
    expect(run(STATES.waiting, ...answers(counting, Date.parse(until) - 1)).kind).to.equal('waiting');
    expect(only(run(STATES.waiting, ...answers(counting, Date.parse(until) + 1)), 'result').outcome).to.equal(
      'processing',
    );
    // "Check again" starts over, at once.
    const again = run(run(STATES.waiting, ...answers(pending, 0)), { type: 'check-again' });
    expect(effect(again, 'refresh')[0]).to.deep.include({ check: 0, delay: 0 });
  });

  it('keeps checking through transient errors; a lasting one is an error screen', () => {
    const transient: Event = {
      type: 'refresh-failed',
      paymentId: PAYMENT_ID,
      check: 0,
      error: problem('provider_unavailable', true),
      at: 0,
    };
    expect(only(run(STATES.waiting, transient), 'waiting').checks).to.equal(1);
    const lasting = only(run(STATES.waiting, { ...transient, error: problem('not_found', false) }), 'failed');
    expect(lasting.error.code).to.equal('not_found');
    expect(run(lasting, { type: 'retry' })).to.equal(lasting); // nothing to retry as is
    // Out of checks before the first answer after a return: nothing to show but the error, with a retry.
    const blind: State = { ...STATES.waiting, payment: null, checks: 2 };
    const failedCheck = only(run(blind, { ...transient, check: 2 }), 'failed');
    expect(only(run(failedCheck, { type: 'retry' }), 'waiting').checks).to.equal(0);
  });

  it('the session decides the first screen: a final payment’s result, an open payment’s waiting, else the choice', () => {
    const loading = STATES.loading;
    const answer = (payment: CheckoutPayment | null, methods = session.methods): Event => ({
      type: 'session',
      session: makeSession({ payment, methods, banks: BANKS['DK']! }),
    });
    expect(only(run(loading, answer(failed)), 'result').outcome).to.equal('failed');
    expect(only(run(loading, answer(pending)), 'waiting').payment).to.deep.equal(pending);
    expect(run(loading, answer(null)).kind).to.equal('methods');
    const bankOnly = only(run(loading, answer(null, ['bank'])), 'form');
    expect(bankOnly.method).to.equal('bank');
    // The session read carried the default country's banks: nothing more to load.
    expect(effects(bankOnly)).to.deep.equal([]);
    const withoutBanks = run(loading, { type: 'session', session: makeSession({ methods: ['bank'], banks: null }) });
    expect(effects(withoutBanks).map((e) => e.key)).to.deep.equal(['data:banks:DK']);
    // The `methods` attribute narrows the session's methods.
    const vippsOnly = run({ ...loading, setup: { ...setup, methods: ['vipps'] } }, answer(null));
    expect(screenOf(vippsOnly)).to.equal('vipps-phone');
  });

  it('no token: waits, then says the link is incomplete, with no retry', () => {
    const waiting = run(STATES.loading, { type: 'await-token' });
    expect(effects(waiting).map((e) => e.type)).to.deep.equal(['token-timeout']);
    const missing = only(run(waiting, { type: 'token-timeout' }), 'failed');
    expect([missing.error.code, missing.error.retryable, missing.retry]).to.deep.equal(['missing_token', false, null]);
    expect(screenOf(missing)).to.equal('error');
  });

  it('"Try again" after a failure: that method’s screen with the failed payment’s bank, in its country', () => {
    const swedish = makePayment({ status: 'failed', bankId: 'se-sodra' });
    const result: State = { kind: 'result', ctx: { ...ctx, forms: {} }, payment: swedish, outcome: 'failed' };
    const locating = only(run(result, { type: 'try-again' }), 'form');
    const locatingForm = locating.ctx.forms.bank as BankForm;
    expect(locatingForm).to.include({ selected: 'se-sodra', locate: 'se-sodra', country: 'DK' });
    expect(effects(locating).map((e) => e.key)).to.deep.equal([`data:${ALL_BANKS}`]);
    const located = run(locating, { type: 'data', key: ALL_BANKS, value: [...BANKS['DK']!, ...BANKS['SE']!] });
    expect(only(located, 'form').ctx.forms.bank as BankForm).to.include({
      country: 'SE',
      selected: 'se-sodra',
      locate: null,
    });
    expect(effects(located)).to.deep.equal([]);
    // Chosen on the provider's page: "Choose my bank on the next page" again.
    const later = run({ ...result, payment: { ...swedish, bankId: null } }, { type: 'try-again' });
    expect((only(later, 'form').ctx.forms.bank as BankForm).selected).to.equal(CHOOSE_LATER);
    // The Vipps number is kept.
    const vippsResult: State = {
      kind: 'result',
      ctx: { ...ctx, forms: { vipps: { phone: '91234567', invalid: false } satisfies VippsForm } },
      payment: makePayment({ method: 'vipps', bankId: null, status: 'expired' }),
      outcome: 'expired',
    };
    const vipps = only(run(vippsResult, { type: 'try-again' }), 'form');
    expect(vipps.ctx.forms.vipps).to.deep.equal({ phone: '91234567', invalid: false });
    // A failed payment is final: the next start replaces nothing.
    expect(only(run(vipps, pay), 'starting').attempt.request).not.to.have.property('replace');
  });

  it('Pay without a choice marks the form and asks for nothing', () => {
    const fresh: State = { kind: 'methods', ctx: { ...ctx, forms: {} } };
    const empty = run(fresh, { type: 'choose', method: 'bank' });
    const marked = only(run(empty, pay), 'form');
    expect((marked.ctx.forms.bank as BankForm).missing).to.equal(true);
    expect(effects(marked)).to.deep.equal([]);
    const vipps = run(
      fresh,
      { type: 'choose', method: 'vipps' },
      { type: 'input', method: 'vipps', input: { type: 'phone', value: '1234' } },
      pay,
    );
    expect((only(vipps, 'form').ctx.forms.vipps as VippsForm).invalid).to.equal(true);
    const fixed = run(vipps, { type: 'input', method: 'vipps', input: { type: 'phone', value: '912 34 567' } });
    expect((only(fixed, 'form').ctx.forms.vipps as VippsForm).invalid).to.equal(false);
    const started = only(run(fixed, pay), 'starting');
    expect(started.attempt.request).to.deep.equal({
      method: 'vipps',
      phoneNumber: '91234567',
      mobile: false,
      attemptId: 'att_second_0002',
    });
    expect(only(run(vipps, { ...pay, mobile: true }), 'starting').attempt.request).to.include({ mobile: true });
  });

  it('redirecting navigates once and, with remember-bank, remembers the bank', () => {
    const redirecting = run(STATES.starting, {
      type: 'started',
      attemptId: attempt.id,
      payment: makePayment({ status: 'created', bankId: 'dk-nordea' }),
      url: redirectUrl,
    });
    expect(effects(redirecting).map((e) => e.type)).to.deep.equal(['navigate']);
    const remembering = {
      ...redirecting,
      ctx: { ...only(redirecting, 'redirecting').ctx, setup: { ...setup, remember: true } },
    };
    expect(effect(remembering, 'remember')[0]!.value).to.deep.equal({ bankId: 'dk-nordea', country: 'DK' });
    expect(announcement(STATES.starting, redirecting)).to.equal('redirecting.heading.bank');
  });

  it('polls no sooner than the server asks, backing off from the interval', () => {
    const waitFor = (ms: number) => makePayment({ next: { type: 'wait', pollAfterMs: ms, until: null } });
    expect([0, 1, 5, 6, 9, 20].map((check) => pollDelay(check, 1000, waitFor(0)))).to.deep.equal([
      0, 1000, 1000, 1500, 5000, 5000,
    ]);
    expect(pollDelay(1, 1000, waitFor(4000))).to.equal(4000);
  });
});
