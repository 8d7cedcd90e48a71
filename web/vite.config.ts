// The web app: Preact + TypeScript, built into dist/web and served at / by the server itself.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const PDFJS = path.resolve(__dirname, '../node_modules/pdfjs-dist');
/** Where `npm start` serves the API in development. */
const API = 'http://127.0.0.1:3000';

/** pdf.js's standard fonts, CMaps, ICC profiles and wasm decoders, fetched only when a PDF needs them. */
function pdfjsData(): Plugin {
  return {
    name: 'ragd-pdfjs-data',
    apply: 'build',
    generateBundle() {
      for (const dir of ['standard_fonts', 'cmaps', 'iccs', 'wasm']) {
        for (const name of fs.readdirSync(path.join(PDFJS, dir))) {
          this.emitFile({
            type: 'asset',
            fileName: `pdfjs/${dir}/${name}`,
            source: fs.readFileSync(path.join(PDFJS, dir, name)),
          });
        }
      }
    },
  };
}

export default defineConfig({
  root: __dirname,
  base: '/',
  publicDir: false,
  plugins: [pdfjsData()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: path.resolve(__dirname, '../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    // pdf.js (loaded only when a PDF is shown) is one chunk of ~400 kB before compression.
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run web:dev` beside `npm start`: the API stays on port 3000. The server refuses state
    // changes from another origin, and the dev server's pages stand in for its own: their Origin
    // is rewritten to the server's.
    proxy: Object.fromEntries(
      ['/v1', '/health', '/docs', '/docs-json'].map((p) => [
        p,
        {
          target: API,
          changeOrigin: true,
          configure: (proxy) =>
            proxy.on('proxyReq', (req) => {
              if (req.getHeader('origin') !== undefined) req.setHeader('origin', API);
            }),
        },
      ]),
    ),
  },
});
