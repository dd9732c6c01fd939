#!/usr/bin/env node
// Prints the size of the element's script-tag build: the entry (dist/pay-with-bank.js, everything the
// browser loads before a bank list in English is interactive) and each chunk it loads on demand from
// its own URL, raw, gzip -9 and brotli (max quality), with the totals.
//
// Usage: node bench/size.mjs [--modules]   (build first: pnpm --filter '@pay-with-bank/element...' build)
//   --modules  also what each file is made of: the minified bytes of each source module, read from
//              the file's source map, and that code alone gzipped (parts compress a little better
//              together, so the parts add up to a little more than the file).
/* global Buffer */ // Node's, not in the workspace's ESLint globals
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = new URL('../packages/element/dist/', import.meta.url);
const ENTRY = 'pay-with-bank.js';
const names = readdirSync(dist)
  .filter((name) => /^pay-with-bank(-[\w-]+)?\.js$/.test(name))
  .sort((a, b) => (a === ENTRY ? -1 : b === ENTRY ? 1 : a.localeCompare(b)));
if (!names.includes(ENTRY)) {
  console.error(`no ${new URL(ENTRY, dist).pathname}: build the element first`);
  process.exit(1);
}

const measure = (source) => ({
  raw: Buffer.byteLength(source),
  gzip: gzipSync(source, { level: 9 }).length,
  brotli: brotliCompressSync(source, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(9);
const row = (label, m) =>
  `${label.padEnd(46)} raw ${kb(m.raw)} ${String(m.raw).padStart(6)} B   gzip ${kb(m.gzip)} ${String(m.gzip).padStart(6)} B   brotli ${kb(m.brotli)} ${String(m.brotli).padStart(6)} B`;
const sum = (list) =>
  list.reduce((a, m) => ({ raw: a.raw + m.raw, gzip: a.gzip + m.gzip, brotli: a.brotli + m.brotli }));

const files = names.map((name) => ({ name, ...measure(readFileSync(new URL(name, dist))) }));
const role = (name) => (name === ENTRY ? 'entry' : /^pay-with-bank-(nb|da|sv|fi)-/.test(name) ? 'catalogue' : 'chunk');
for (const file of files) console.log(row(`${file.name} (${role(file.name)})`, file));
console.log(row('total (entry and every chunk)', sum(files)));
const entry = files[0];
const catalogues = files.filter((f) => role(f.name) === 'catalogue');
console.log(row('before a bank list in English: the entry', entry));
if (catalogues.length) {
  const largest = catalogues.reduce((a, b) => (b.gzip > a.gzip ? b : a));
  console.log(row(`... in another language: + ${largest.name.split('-')[3]}`, sum([entry, largest])));
}

if (process.argv.includes('--modules')) {
  for (const name of names) {
    const map = new URL(`${name}.map`, dist);
    if (!existsSync(map)) continue;
    console.log(`\n${name}: minified bytes per source module (from ${name}.map)`);
    const parts = modulesOf(readFileSync(new URL(name, dist), 'utf8'), JSON.parse(readFileSync(map, 'utf8')));
    for (const [source, code] of [...parts].sort((a, b) => b[1].length - a[1].length)) {
      const raw = Buffer.byteLength(code);
      const gzip = gzipSync(code, { level: 9 }).length;
      console.log(`  ${String(raw).padStart(6)} B  gzip alone ${String(gzip).padStart(5)} B  ${source}`);
    }
  }
}

/** The generated code of each source of a bundle, from its source map (mappings decoded here). */
function modulesOf(code, map) {
  const lines = code.split('\n');
  const segments = []; // [line, column, source index]
  let source = 0;
  map.mappings.split(';').forEach((line, lineIndex) => {
    let column = 0;
    for (const segment of line.split(',')) {
      if (!segment) continue;
      const fields = vlq(segment);
      column += fields[0];
      if (fields.length > 1) source += fields[1];
      segments.push([lineIndex, column, fields.length > 1 ? source : -1]);
    }
  });
  const parts = new Map();
  segments.forEach(([line, column, index], i) => {
    const next = segments[i + 1];
    const end = next && next[0] === line ? next[1] : lines[line].length;
    const name = index < 0 ? '(no source)' : shortName(map.sources[index]);
    parts.set(name, (parts.get(name) ?? '') + lines[line].slice(column, end));
  });
  return parts;
}

function shortName(path) {
  return path.replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '').replace(/^(\.\.\/)+/, '');
}

function vlq(text) {
  const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const values = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = digits.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = shift = 0;
    }
  }
  return values;
}
