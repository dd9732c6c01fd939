#!/usr/bin/env node
// Prints the size of the element's script-tag build: raw, gzip -9 and brotli (max quality).
// Usage: node bench/size.mjs   (build first: pnpm --filter @pay-with-bank/element build)
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const file = new URL('../packages/element/dist/pay-with-bank.js', import.meta.url);
const source = readFileSync(file);
const gz = gzipSync(source, { level: 9 }).length;
const br = brotliCompressSync(source, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(
  `pay-with-bank.js  raw ${kb(source.length)} (${source.length} B)  gzip ${kb(gz)} (${gz} B)  brotli ${kb(br)} (${br} B)`,
);
