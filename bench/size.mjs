#!/usr/bin/env node
// Prints the size of the element's script-tag build: the entry (dist/pay-with-bank.js, everything the
// browser loads before an English bank list is interactive) and each chunk it loads on demand from its
// own URL, raw, gzip -9 and brotli (max quality), with the totals.
// Usage: node bench/size.mjs   (build first: pnpm --filter '@pay-with-bank/element...' build)
import { readFileSync, readdirSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = new URL('../packages/element/dist/', import.meta.url);
const names = readdirSync(dist)
  .filter((name) => /^pay-with-bank(-[\w-]+)?\.js$/.test(name))
  .sort((a, b) => (a === 'pay-with-bank.js' ? -1 : b === 'pay-with-bank.js' ? 1 : a.localeCompare(b)));
if (!names.includes('pay-with-bank.js')) {
  console.error(`no ${new URL('pay-with-bank.js', dist).pathname}: build the element first`);
  process.exit(1);
}

const measure = (source) => ({
  raw: source.length,
  gzip: gzipSync(source, { level: 9 }).length,
  brotli: brotliCompressSync(source, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(9);
const row = (label, m) =>
  `${label.padEnd(42)} raw ${kb(m.raw)} ${String(m.raw).padStart(6)} B   gzip ${kb(m.gzip)} ${String(m.gzip).padStart(6)} B   brotli ${kb(m.brotli)} ${String(m.brotli).padStart(6)} B`;
const sum = (list) =>
  list.reduce((a, m) => ({ raw: a.raw + m.raw, gzip: a.gzip + m.gzip, brotli: a.brotli + m.brotli }));

const files = names.map((name) => ({ name, ...measure(readFileSync(new URL(name, dist))) }));
const role = (name) =>
  name === 'pay-with-bank.js' ? 'entry' : /^pay-with-bank-(nb|da|sv|fi)-/.test(name) ? 'catalogue' : 'chunk';
for (const file of files) console.log(row(`${file.name} (${role(file.name)})`, file));
console.log(row('total (entry and every chunk)', sum(files)));
const entry = files[0];
const catalogues = files.filter((f) => role(f.name) === 'catalogue');
if (catalogues.length) {
  const largest = catalogues.reduce((a, b) => (b.gzip > a.gzip ? b : a));
  console.log(row('before a bank list in English: the entry', entry));
  console.log(row(`... in another language: + ${largest.name.split('-')[3]}`, sum([entry, largest])));
}
