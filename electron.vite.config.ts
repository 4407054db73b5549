// electron-vite builds three bundles into out/: the Electron main process (thin: window, IPC,
// supervisor), the sandboxed preload (one CommonJS file — a sandboxed preload cannot load ES
// modules or node_modules), and the React renderer, which browser mode serves as well.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rollupOptions: { input: { index: resolve(root, 'src-main/electron/main.ts') } },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // Everything the preload imports is bundled in; only 'electron' stays a require().
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(root, 'src-main/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    // Relative asset URLs: the same build is loaded from forkscope://app/ and from http://127.0.0.1:PORT/.
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      // electron-vite leaves the renderer unminified; the browser mode loads it over HTTP too.
      minify: true,
      // One bundle of ~1.1 MB (React, recharts, i18next, both catalogs), loaded from disk or
      // loopback: splitting it would gain nothing, so the size warning would only alarm.
      chunkSizeWarningLimit: 2048,
      rollupOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
    },
  },
});
