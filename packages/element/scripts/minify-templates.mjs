// Vite plugin for the script-tag build: minifies the static text of Lit's `html` and `css` tagged
// templates, which no JavaScript minifier touches (indentation, newlines, CSS comments). HTML: a run of
// whitespace with a line break becomes one space (HTML collapses it the same way; the element renders
// no <pre> or <textarea>). CSS: comments go, whitespace collapses, the spaces around { } ; , and after
// : go, and so do a rule's last semicolon and the zero of 0.5. Expressions (`${…}`) are left alone,
// nested templates included.

/** Index of the backtick that closes the template starting after `start`, minifying its static parts. */
function template(code, start, minify, out) {
  let text = '';
  let i = start;
  while (i < code.length) {
    const c = code[i];
    if (c === '\\') {
      text += code.slice(i, i + 2);
      i += 2;
    } else if (c === '`') {
      out.push(minify(text), '`');
      return i + 1;
    } else if (c === '$' && code[i + 1] === '{') {
      out.push(minify(text), '${');
      text = '';
      i = expression(code, i + 2, out);
    } else {
      text += c;
      i += 1;
    }
  }
  throw new Error('unterminated template literal');
}

/** Copies a `${…}` expression (which may hold strings and nested templates) up to its closing brace. */
function expression(code, start, out) {
  let depth = 0;
  let i = start;
  while (i < code.length) {
    const c = code[i];
    if (c === "'" || c === '"') {
      const end = stringEnd(code, i);
      out.push(code.slice(i, end));
      i = end;
    } else if (c === '`') {
      const tag = /\b(html|css)\s*$/.exec(code.slice(Math.max(start, i - 8), i))?.[1];
      out.push('`');
      i = template(code, i + 1, tag ? MINIFY[tag] : (s) => s, out);
    } else if (c === '{') {
      depth += 1;
      out.push(c);
      i += 1;
    } else if (c === '}') {
      if (depth === 0) {
        out.push('}');
        return i + 1;
      }
      depth -= 1;
      out.push(c);
      i += 1;
    } else {
      out.push(c);
      i += 1;
    }
  }
  throw new Error('unterminated template expression');
}

function stringEnd(code, start) {
  const quote = code[start];
  let i = start + 1;
  while (i < code.length && code[i] !== quote) i += code[i] === '\\' ? 2 : 1;
  return i + 1;
}

const MINIFY = {
  html: (s) => s.replace(/\s*\n\s*/g, ' '),
  css: (s) =>
    s
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\s+/g, ' ')
      .replace(/\s*([{};,])\s*/g, '$1')
      .replace(/:\s+/g, ':')
      .replace(/;}/g, '}') // the last declaration needs no semicolon
      .replace(/([\s:,(])0\.(\d)/g, '$1.$2'), // 0.5em → .5em
};

/** Minifies every html`` and css`` template of a module's source (comments and strings outside are copied). */
export function minifyTemplates(code) {
  const out = [];
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    if (c === '/' && code[i + 1] === '/') {
      const end = code.indexOf('\n', i);
      const stop = end < 0 ? code.length : end;
      out.push(code.slice(i, stop));
      i = stop;
    } else if (c === '/' && code[i + 1] === '*') {
      const stop = code.indexOf('*/', i) + 2;
      out.push(code.slice(i, stop));
      i = stop;
    } else if (c === "'" || c === '"') {
      const end = stringEnd(code, i);
      out.push(code.slice(i, end));
      i = end;
    } else if (c === '`') {
      const tag = /\b(html|css)\s*$/.exec(code.slice(Math.max(0, i - 8), i))?.[1];
      out.push('`');
      i = template(code, i + 1, tag ? MINIFY[tag] : (s) => s, out);
    } else {
      out.push(c);
      i += 1;
    }
  }
  return out.join('');
}

export default function minifyTemplatesPlugin() {
  return {
    name: 'pay-with-bank:minify-templates',
    enforce: 'pre',
    transform(code, id) {
      if (!/\/packages\/element\/src\/.*\.ts$/.test(id) || !/\b(html|css)`/.test(code)) return null;
      return { code: minifyTemplates(code), map: null };
    },
  };
}
