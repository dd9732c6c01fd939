import { readdirSync, rmSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';
import minifyTemplates from './scripts/minify-templates.mjs';

// Script-tag build: one fully minified ES module (lit-html bundled) that registers <pay-with-bank>, the
// entry (src/script-tag.ts: it exports nothing, so it carries only what runs up to the bank list), plus
// the chunks it imports on demand from its own URL: the payment part, the Vipps screen and each
// non-English catalogue. The npm build (dist/esm) comes from tsc and keeps Lit as a dependency.
/** Removes the previous script-tag build (its chunks have other hashes); dist/esm stays. */
const cleanScriptTagBuild = (): Plugin => ({
  name: 'pay-with-bank:clean',
  buildStart() {
    const dist = new URL('./dist/', import.meta.url);
    for (const name of readdirSync(dist).filter((n) => /^pay-with-bank.*\.js(\.map)?$/.test(n))) {
      rmSync(new URL(name, dist));
    }
  },
});

export default defineConfig({
  plugins: [cleanScriptTagBuild(), minifyTemplates()],
  resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
  build: {
    outDir: 'dist',
    emptyOutDir: false, // dist/esm comes from tsc and must survive
    target: 'es2022', // class fields and #private members as written (minifiers shorten #names)
    minify: true,
    sourcemap: true,
    lib: {
      entry: 'src/script-tag.ts',
      formats: ['es'],
      fileName: () => 'pay-with-bank.js',
    },
    rolldownOptions: {
      // The entry may export what its chunks import from it (lit-html, shared helpers), so everything
      // the bank list needs stays in the one file the script tag loads, not in a chunk behind it.
      preserveEntrySignatures: 'allow-extension',
      output: {
        // Chunks sit next to the entry; the hash lets a CDN cache them for good.
        chunkFileNames: 'pay-with-bank-[name]-[hash].js',
        // Vite keeps whitespace and pure annotations in ES libraries for the bundlers that
        // tree-shake them; nobody tree-shakes a script-tag bundle, so minify it completely.
        minify: true,
        comments: { annotation: false, jsdoc: false, legal: true },
      },
    },
  },
});
