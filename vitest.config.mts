// One `npm test` runs every project: the edge (worker/ + durable/) inside workerd through the
// Cloudflare vitest plugin, and plain Node for platform-free code (domain/, scripts).
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

// wrangler.toml declares its secrets (`[secrets] required`); reading it for each test file, wrangler
// would look for them in .dev.vars / .env / process.env and warn that they are missing, although the
// edge project's test-only values below are what the tests run with. Only its errors are worth
// showing here (WRANGLER_LOG=log or debug still shows everything). test/e2e/worker.mjs starts its
// wrangler dev with the normal level again.
process.env.WRANGLER_LOG ??= 'error';

/**
 * The worker inside workerd with test-only secrets, in the given ENVIRONMENT. `main` replaces the
 * entry: the edge project runs test/edge/entry.ts (worker/index.ts plus the player object's test-only
 * RPCs); edge-production runs worker/index.ts itself.
 */
const edgeWorker = (environment: 'development' | 'production', main?: string) => cloudflareTest({
  wrangler: { configPath: './wrangler.toml' },
  ...(main ? { main } : {}),
  miniflare: {
    // Test-only values: real deployments take these from wrangler secrets.
    bindings: {
      ENVIRONMENT: environment,
      SESSION_SIGNING_KEY: 'test-only-signing-key-0123456789abcdefghijklmnop',
      PAYMENT_WEBHOOK_SECRET_SANDBOX: 'test-only-webhook-secret-0123456789',
      OPS_BOOTSTRAP_TOKEN: 'test-only-bootstrap-token-0123456789',
      PROVIDER_SECRET_SANDBOX_SLOTS: 'test-only-provider-secret-sandbox-slots-0123456789',
      SEGMENTS_PUBLISH_SECRET: 'test-only-segments-publish-secret-0123456789',
      AML_PUBLISH_SECRET: 'test-only-aml-publish-secret-0123456789abcdef',
      PAYMENT_REFERENCE_KEY: 'test-only-payment-reference-key-0123456789',
      // Debug mode of the player object: its hot state (balances, holds, limits, profile held in
      // memory) is compared with SQL after every transaction, so a cache cannot drift silently.
      HOT_STATE_CHECKS: '1',
    },
  },
});

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [edgeWorker('development', './test/edge/entry.ts')],
        test: {
          name: 'edge',
          include: ['worker/**/*.test.ts', 'durable/**/*.test.ts', 'test/edge/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        // The same worker as deployed (ENVIRONMENT=production), with the sandbox webhook secret set
        // anyway, as a careless deploy might: what must not exist in production, does not.
        plugins: [edgeWorker('production')],
        test: {
          name: 'edge-production',
          include: ['test/edge-production/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['domain/**/*.test.ts', 'warehouse/**/*.test.ts', 'simulator/**/*.test.ts', 'scripts/**/*.test.ts', 'dashboards/*.test.ts'],
          // warehouse tests run real DuckDB and local R2 (Miniflare through getPlatformProxy)
          testTimeout: 60_000,
        },
      },
      {
        // The real worker under `wrangler dev` next to a real OpenID Connect provider, driven over
        // HTTP and through Chromium (test/e2e/harness.mjs). One file at a time: each starts its own platform.
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
