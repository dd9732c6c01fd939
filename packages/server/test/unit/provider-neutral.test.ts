/**
 * Invariant 9: the core never branches on a provider's name. Only the provider folders (each a
 * plugin), the list of plugins and the package's export list may name a provider; the protocol's
 * shared types (statuses, methods, formats, errors) name none either.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '../../src');
const ALLOWED = [
  // A provider's own folder (mastercard/, vipps/): its plugin, adapter, client, schemas.
  /^providers\/[^/]+\//,
  /^providers\/plugins\.ts$/,
  /^index\.ts$/,
  /^providers\/adapter\.ts$/,
];
const protocolShared = join(import.meta.dirname, '../../../protocol/src');
const PROTOCOL_SHARED = ['common.ts', 'constants.ts', 'errors.ts', 'paths.ts'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

describe('provider neutrality', () => {
  it('no core, HTTP, store or notification module names a provider', () => {
    const offenders: string[] = [];
    for (const file of files(src)) {
      const rel = relative(src, file).split('\\').join('/');
      if (ALLOWED.some((pattern) => pattern.test(rel))) continue;
      const text = readFileSync(file, 'utf8');
      if (/mastercard|vipps|nordicapigateway|aiia/i.test(text)) offenders.push(rel);
    }
    expect(offenders).toEqual([]);
  });

  it('the protocol’s shared types name no provider', () => {
    const offenders = PROTOCOL_SHARED.filter((name) =>
      /mastercard|vipps|nordicapigateway|aiia/i.test(readFileSync(join(protocolShared, name), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('the adapter interface names providers only in comments', () => {
    const code = readFileSync(join(src, 'providers/adapter.ts'), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    expect(code).not.toMatch(/mastercard|vipps/i);
  });
});
