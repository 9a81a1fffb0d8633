import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';
import { resolve } from 'node:path';

// Three builds: main (Node, dependencies stay external and ship in node_modules), preload
// (sandboxed: one self-contained CommonJS file) and the renderer (the Vue app plus the GPU worker page).
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'electron/main/index.ts'),
          // Node worker threads (fallback training workers) need their own entry file.
          nodeWorker: resolve(__dirname, 'electron/lab/engineHost/nodeWorker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'electron/preload/index.ts'), worker: resolve(__dirname, 'electron/preload/worker.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    base: './',
    plugins: [vue()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      chunkSizeWarningLimit: 4000,
      rollupOptions: {
        input: { index: resolve(__dirname, 'renderer/index.html'), worker: resolve(__dirname, 'renderer/worker.html') },
      },
    },
  },
});
