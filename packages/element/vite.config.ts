import { defineConfig } from 'vite';

// Script-tag build: one self-contained, fully minified ES module (Lit bundled) that registers
// <pay-with-bank>. The npm build (dist/esm) comes from tsc and keeps Lit as a dependency.
export default defineConfig({
  resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
  build: {
    outDir: 'dist',
    emptyOutDir: false, // dist/esm comes from tsc and must survive
    target: 'es2021',
    minify: true,
    sourcemap: true,
    lib: {
      entry: 'src/define.ts',
      formats: ['es'],
      fileName: () => 'pay-with-bank.js',
    },
    rolldownOptions: {
      output: {
        codeSplitting: false, // one file, no chunks
        // Vite keeps whitespace and pure annotations in ES libraries for the bundlers that
        // tree-shake them; nobody tree-shakes a script-tag bundle, so minify it completely.
        minify: true,
        comments: { annotation: false, jsdoc: false, legal: true },
      },
    },
  },
});
