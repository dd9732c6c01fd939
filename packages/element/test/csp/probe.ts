// Runs inside test/csp/page.html (strict CSP): records violations, answers the element's requests
// from a canned session, then loads the element the way the script tag would.
const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));
(window as unknown as { cspViolations: string[] }).cspViolations = violations;

const session = {
  id: 'cs_csp0123456789abcdef',
  amount: { value: 4200, currency: 'EUR' },
  payee: { name: 'CSP Shop' },
  reference: 'csp-1',
  description: 'CSP check',
  locale: 'en',
  methods: ['bank', 'vipps'],
  countries: ['FI'],
  expiresAt: '2099-01-01T00:00:00.000Z',
  payment: null,
  banks: null,
};
window.fetch = async () =>
  new Response(JSON.stringify(session), { status: 200, headers: { 'Content-Type': 'application/json' } });

await import('../../src/define.js');
