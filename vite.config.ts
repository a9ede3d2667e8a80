/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import pkg from './package.json' with { type: 'json' };

// Console pages (src/app/screens/console/) and the QR code library they use go
// to chunks named like the supervisor's, which the precache skips: volunteers'
// phones never download them.
const isConsoleChunk = (chunk: { facadeModuleId: string | null; moduleIds: string[] }) =>
  Boolean(chunk.facadeModuleId?.includes('/src/app/screens/console/')) ||
  (chunk.moduleIds.some((id) => id.includes('/node_modules/qrcode/')) &&
    chunk.moduleIds.every((id) => id.includes('/node_modules/') || id.includes('/src/app/screens/console/')));

// The app shell and the Vietnamese locale are precached; English and the
// supervisor screens are separate chunks fetched at runtime and cached then.
export default defineConfig({
  // The version each device reports on sync (src/app/sync/deviceReport.ts).
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  plugins: [
    react(),
    VitePWA({
      // 'prompt': a new version waits for the volunteer to tap "reload", so an
      // update never interrupts a half-filled form.
      registerType: 'prompt',
      injectRegister: false,
      manifest: false, // public/manifest.webmanifest is hand-written and linked from index.html
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,woff2}'],
        // Supervisor screens are cached only when a supervisor opens them
        // (runtimeCaching below): volunteers' phones never download them.
        globIgnores: ['**/locale-en-*.js', '**/supervisor-*.{js,css}', '**/console-*.{js,css}', '**/screenshots/**'],
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/^\/api\//],
        cleanupOutdatedCaches: true,
        // Take control of the page on the FIRST install, so the first session's
        // lazy chunks are cached for offline use. Updates still wait: with
        // registerType 'prompt' a new worker activates only after the volunteer
        // taps "reload", and the page reloads right then.
        clientsClaim: true,
        importScripts: ['sw-sync.js'],
        runtimeCaching: [
          {
            // English locale and other lazily loaded chunks: cache on first use.
            urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/assets/'),
            handler: 'CacheFirst',
            options: { cacheName: 'gocua-lazy-assets', expiration: { maxEntries: 60 } },
          },
        ],
      },
    }),
  ],
  build: {
    target: 'es2022',
    sourcemap: false,
    rollupOptions: {
      output: {
        // English locale and console chunks (screens/console/ and the supervisor/ screens only it
        // imports) get a recognisable name so the precache can skip them.
        // The supervisor chunk's stylesheet (Dashboard.css) too: assetFileNames below.
        chunkFileNames: (chunk) =>
          chunk.facadeModuleId?.includes('/locales/en/')
            ? 'assets/locale-en-[name]-[hash].js'
            : chunk.facadeModuleId?.includes('/src/app/screens/supervisor/') || isConsoleChunk(chunk)
              ? 'assets/supervisor-[name]-[hash].js'
              : chunk.facadeModuleId?.includes('/src/app/screens/console/')
                ? 'assets/console-[name]-[hash].js'
                : 'assets/[name]-[hash].js',
        assetFileNames: (asset) =>
          asset.originalFileNames.some((f) => f.includes('src/app/screens/supervisor/') || f.includes('src/app/screens/console/'))
            ? 'assets/supervisor-[name]-[hash][extname]'
            : asset.originalFileNames.some((f) => f.includes('src/app/screens/console/'))
              ? 'assets/console-[name]-[hash][extname]'
              : 'assets/[name]-[hash][extname]',
      },
    },
  },
  server: {
    // changeOrigin: false keeps the page's Host (localhost:5173), which the
    // server compares with Origin on every POST/PATCH/DELETE (same-origin.ts).
    // The string shorthand would set Host to localhost:8080 and every sign-in
    // under `npm run dev` would get 403.
    proxy: { '/api': { target: 'http://localhost:8080', changeOrigin: false } },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['tests/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}', 'tests/**/*.test.{ts,tsx}'],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    testTimeout: 20000,
    hookTimeout: 60000,
  },
});
