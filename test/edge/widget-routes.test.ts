/**
 * The widget's routes inside workerd (docs/rewards.md "Widget"): the element is a module any site
 * may load, the demo page and its assets carry the panel's strict headers and no inline code, the
 * versioned URLs are immutable, and the served scripts are the sources under worker/widget/client/
 * (the generated copy is checked fresh by test/e2e/widget.test.ts, which has a file system).
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { PANEL_CSP } from '../../worker/panel';
import { WIDGET_DEMO_JS, WIDGET_JS, WIDGET_JS_VERSION } from '../../worker/widget/client.gen';

const get = (path: string, headers: Record<string, string> = {}) => SELF.fetch(`https://casino.test${path}`, { headers });

describe('GET /widget/*', () => {
  it('serves the element cross-origin, with caching only for the versioned URL', async () => {
    const res = await get('/widget/rewards.js', { Origin: 'https://operator.example' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('content-security-policy')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toBe(WIDGET_JS);
    const versioned = await get(`/widget/rewards.js?v=${WIDGET_JS_VERSION}`);
    expect(versioned.headers.get('cache-control')).toContain('immutable');
    await versioned.body?.cancel();
  });

  it('serves the demo page and its assets under the panel CSP, with no inline code', async () => {
    const page = await get('/widget/demo');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toBe(PANEL_CSP);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const markup = await page.text();
    expect(markup).toContain('<casino-rewards');
    expect(markup).toMatch(/<script type="module" src="\/widget\/demo\.js\?v=[0-9a-f]{16}"><\/script>/);
    expect(markup).not.toMatch(/<script>|<script type="module">|<style|\sstyle=|\son[a-z]+=/);
    for (const [path, type, body] of [['/widget/demo.js', 'text/javascript', WIDGET_DEMO_JS], ['/widget/demo.css', 'text/css', null]] as const) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('content-security-policy')).toBe(PANEL_CSP);
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      const text = await res.text();
      if (body !== null) expect(text).toBe(body);
    }
  });

  it('answers an unknown widget path with the one JSON error', async () => {
    const res = await get('/widget/nope.js');
    expect(res.status).toBe(404);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe('not_found');
  });
});
