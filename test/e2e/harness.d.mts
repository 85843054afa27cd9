/**
 * Types of the end-to-end harness (harness.mjs). Typical use in a test file:
 *
 *   let platform: Platform;
 *   beforeAll(async () => { platform = await startPlatform(); }, 120_000);
 *   afterAll(() => platform?.stop());
 *   const { context, close } = await launchBrowser();
 *   const page = await context.newPage();
 *   await page.goto(`${platform.baseUrl}/ops`);
 */
import type { BrowserContext } from 'playwright-core';

export type TestUser = { email: string; name: string; groups: string[]; amr?: string[]; email_verified?: boolean };

/** Accounts of the test identity provider, by login name (any password works on its form). */
export declare const TEST_USERS: Record<'ada' | 'clara' | 'sam' | 'uma' | 'ursula', TestUser>;

export type Platform = {
  /** The worker, as browsers reach it (http://localhost:<port>). */
  baseUrl: string;
  /** The OpenID Connect provider (http://127.0.0.1:<port>), or null when started with `sso: false`. */
  issuerUrl: string | null;
  /** The OPS_BOOTSTRAP_TOKEN secret the worker runs with. */
  bootstrapToken: string;
  /** The last lines of wrangler's output, for failure messages. */
  logs(): string;
  /** Stops the worker (its whole process group) and the provider, and deletes their temporary state. */
  stop(): Promise<void>;
};

/** A fresh platform: wrangler dev with empty local state and random secrets, and (unless `sso: false`) the provider. */
/** `devCountry`: DEV_COUNTRY, the country of requests without X-Dev-Country (a browser's WebSocket handshake sends no custom header). */
export declare function startPlatform(options?: { sso?: boolean; devCountry?: string }): Promise<Platform>;

/** System Chromium, headless, with a fresh profile that `close()` deletes. */
export declare function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }>;

/** The TOTP code an authenticator app would show at `atMs` (default now). Each code works once per operator. */
export declare function totpNow(secretBase32: string, atMs?: number): string;

export type Admin = { token: string; operator: Record<string, unknown>; email: string; password: string; totpSecret: string; recoveryCodes: string[] };

/** The first admin (POST /v1/ops/bootstrap, then TOTP enrolment), logged in with a bearer token. Once per platform. */
export declare function bootstrapAdmin(platform: Platform, options?: { email?: string; display_name?: string; password?: string }): Promise<Admin>;
