/**
 * axe-core with the WCAG 2.2 AA rule set, the standard the widget and the sandbox pages are held to.
 * axe is evaluated over the DevTools protocol, so the pages' CSP (no foreign script) does not stop it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, type Page } from '@playwright/test';
import type { AxeResults, Result } from 'axe-core';

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Violations in the whole document, or inside the first element matching `selector` (shadow roots included). */
export async function axeViolations(page: Page, selector?: string): Promise<Result[]> {
  await page.evaluate(`${AXE_SOURCE}\n;void 0`);
  return page.evaluate(
    async ({ tags, selector }) => {
      const axe = (window as unknown as { axe: { run(context: Node, options: object): Promise<AxeResults> } }).axe;
      const context = selector ? document.querySelector(selector)! : document;
      const results = await axe.run(context, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
      return results.violations;
    },
    { tags: AXE_TAGS, selector },
  );
}

export function describeViolations(violations: Result[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.map(
        (n) => `    at ${n.target.join(' ')}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`,
      );
      return `  [${v.impact ?? 'unknown'}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes.join('\n')}`;
    })
    .join('\n');
}

/** Soft, so one run lists the problems of every page; the test still fails on any violation. */
export async function expectAccessible(page: Page, name: string, selector?: string) {
  if (!selector) await expect(page.locator('h1')).toHaveCount(1);
  const violations = await axeViolations(page, selector);
  expect.soft(describeViolations(violations), `axe violations on "${name}" (${page.url()})`).toBe('');
}
