import { defineConfig } from 'vite';

// Preact's automatic JSX runtime through Oxc: no Babel preset needed. Everything is bundled
// into hashed files under /assets, served by the gateway; nothing is fetched from elsewhere.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npx vite` in this folder during development: API and socket from a gateway on :3001.
    proxy: {
      '/printing': 'http://localhost:3001',
      '/auth': 'http://localhost:3001',
      '/admin': 'http://localhost:3001',
      '/socket.io': { target: 'ws://localhost:3001', ws: true },
    },
  },
});
