// Post-build checks that CI runs with `pnpm build`: the script-tag bundle stays small, self-contained
// and CSP-safe, and both entry points import without a DOM (server-side rendering, tests in Node).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET_GZIP_BYTES = 24 * 1024;
const file = new URL('../dist/pay-with-bank.js', import.meta.url);
const code = readFileSync(file, 'utf8');
const gzip = gzipSync(code, { level: 9 }).length;
const problems = [];

if (gzip > BUDGET_GZIP_BYTES) problems.push(`gzipped size ${gzip} B exceeds the budget of ${BUDGET_GZIP_BYTES} B`);
// CSP without 'unsafe-eval'.
if (/\beval\s*\(|new\s+Function\s*\(/.test(code)) problems.push('uses eval or new Function');
// Self-contained: no imports left for a script tag to resolve.
if (/(^|[;}])\s*import\s*(\{|\*|["']|\w+\s+from\b)|\bimport\s*\(\s*["'`]/m.test(code))
  problems.push('contains an import');
// zod belongs to the server side of the protocol.
if (/\bzod\b|ZodError|safeParse/.test(code)) problems.push('bundles zod');
// No secrets or credentials can be in a browser bundle; these names would suggest someone tried.
if (/client[_-]?secret|api[_-]?key|Ocp-Apim-Subscription-Key/i.test(code)) problems.push('mentions a credential name');

// Importing must not touch window/document (no DOM here) and must not register anything.
const esm = await import('../dist/esm/index.js');
if (typeof esm.PayWithBank !== 'function') problems.push('dist/esm/index.js does not export PayWithBank');
await import('../dist/esm/define.js');

// The generated manifest must describe the attributes the class really observes.
const manifest = JSON.parse(readFileSync(new URL('../custom-elements.json', import.meta.url), 'utf8'));
const element = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.name === 'PayWithBank');
const documented = element.attributes.map((a) => a.name).sort();
const observed = [...esm.PayWithBank.observedAttributes].sort();
if (JSON.stringify(documented) !== JSON.stringify(observed)) {
  problems.push(`custom-elements.json lists attributes ${documented} but the element observes ${observed}`);
}

if (problems.length) {
  console.error(`dist/pay-with-bank.js: ${problems.join('; ')}`);
  process.exit(1);
}
console.log(
  `dist/pay-with-bank.js: ${code.length} B, ${gzip} B gzipped (budget ${BUDGET_GZIP_BYTES} B); Node import of dist/esm OK`,
);
