// Writes custom-elements.json (Custom Elements Manifest 2.1) from the component's JSDoc header and
// its decorated, documented properties, so IDEs and frameworks learn the element's API. A small
// reader for our own source layout, not a general TypeScript analyzer (that needs a TS compiler API).
import { readFileSync, writeFileSync } from 'node:fs';

const sourcePath = 'src/pay-with-bank.component.ts';
const source = readFileSync(new URL(`../${sourcePath}`, import.meta.url), 'utf8');

const header = source.match(/\/\*\*((?:(?!\*\/)[\s\S])*?@summary[\s\S]*?)\*\/\s*export class (\w+) extends (\w+)/);
if (!header) throw new Error('component JSDoc header not found');
const [, doc, className, superName] = header;
const lines = doc.split('\n').map((l) => l.replace(/^\s*\*\s?/, '').trimEnd());

const tagged = (tag) =>
  lines
    .filter((l) => l.startsWith(`@${tag} `))
    .map((l) => {
      const [, name, description = ''] = l.slice(tag.length + 2).match(/^(\S+)(?:\s+-\s+(.*))?$/);
      return { name, description };
    });
const summary = lines
  .slice(lines.findIndex((l) => l.startsWith('@summary')))
  .join('\n')
  .replace(/^@summary\s*/, '')
  .split(/\n\s*(?:\n|@)/)[0]
  .replace(/\s+/g, ' ')
  .trim();

const members = [];
const attributes = [];
const propertyPattern = /\/\*\*\s*([\s\S]*?)\s*\*\/\s*@property\((\{[^)]*\})?\)\s*(\w+)\s*=\s*([^;]+);/g;
for (const [, description, options = '', name, initial] of source.matchAll(propertyPattern)) {
  const type = /^['"`]/.test(initial) ? 'string' : /^[\d_]+$/.test(initial) ? 'number' : 'unknown';
  const text = description.replace(/\s*\n\s*\*\s*/g, ' ').trim();
  const attributeOption = options.match(/attribute:\s*(false|'([^']+)')/);
  const attribute = attributeOption ? (attributeOption[1] === 'false' ? null : attributeOption[2]) : name.toLowerCase();
  members.push({
    kind: 'field',
    name,
    type: { text: type },
    default: initial.trim(),
    description: text,
    ...(attribute ? { attribute } : {}),
  });
  if (attribute)
    attributes.push({
      name: attribute,
      type: { text: type },
      default: initial.trim(),
      description: text,
      fieldName: name,
    });
}
if (members.length === 0) throw new Error('no @property found');

const manifest = {
  schemaVersion: '2.1.0',
  readme: 'README.md',
  modules: [
    {
      kind: 'javascript-module',
      path: sourcePath,
      declarations: [
        {
          kind: 'class',
          name: className,
          customElement: true,
          tagName: 'pay-with-bank',
          summary,
          superclass: { name: superName, package: 'lit' },
          members,
          attributes,
          events: tagged('event').map(({ name, description }) => {
            const detail = description.match(/Detail: `(\w+)`/)?.[1];
            return { name, description, type: { text: detail ? `CustomEvent<${detail}>` : 'CustomEvent' } };
          }),
          cssParts: tagged('csspart'),
          cssProperties: tagged('cssproperty'),
        },
      ],
      exports: [{ kind: 'js', name: className, declaration: { name: className, module: sourcePath } }],
    },
    {
      kind: 'javascript-module',
      path: 'src/define.ts',
      declarations: [],
      exports: [
        {
          kind: 'custom-element-definition',
          name: 'pay-with-bank',
          declaration: { name: className, module: sourcePath },
        },
      ],
    },
  ],
};
writeFileSync(new URL('../custom-elements.json', import.meta.url), JSON.stringify(manifest, null, 2) + '\n');
const declaration = manifest.modules[0].declarations[0];
console.log(
  `custom-elements.json: ${attributes.length} attributes, ${members.length} properties, ${declaration.events.length} events, ` +
    `${declaration.cssParts.length} parts, ${declaration.cssProperties.length} CSS properties`,
);
