/**
 * A browser without a browser, for end-to-end tests that need many sign-ins: fetch with a cookie
 * jar (host and path matching, deletion by Max-Age/Expires, ports ignored as browsers do) and
 * redirects followed by hand, so a test can stop at, inspect or replay any hop. `idpSignIn`
 * clicks through the test provider's login and consent forms like a person would.
 */

type Cookie = { name: string; value: string; host: string; path: string };

function parseSetCookie(header: string, url: URL): Cookie & { expired: boolean } {
  const [pair = '', ...attrs] = header.split(';');
  const eq = pair.indexOf('=');
  const cookie = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), host: url.hostname, path: '/', expired: false };
  for (const attr of attrs) {
    const [k = '', v = ''] = attr.split('=').map((s) => s.trim());
    const key = k.toLowerCase();
    if (key === 'path' && v.startsWith('/')) cookie.path = v;
    if (key === 'max-age' && Number(v) <= 0) cookie.expired = true;
    if (key === 'expires' && Date.parse(v) <= Date.now()) cookie.expired = true;
  }
  return cookie;
}

const pathMatches = (cookiePath: string, path: string) => path === cookiePath || path.startsWith(cookiePath.endsWith('/') ? cookiePath : `${cookiePath}/`);

export class CookieClient {
  cookies: Cookie[] = [];

  cookie(name: string): string | undefined {
    return this.cookies.find((c) => c.name === name)?.value;
  }

  /** One request, no redirect following; cookies sent and stored. */
  async fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const url = new URL(input);
    const headers = new Headers(init.headers);
    const jar = this.cookies.filter((c) => c.host === url.hostname && pathMatches(c.path, url.pathname));
    if (jar.length) headers.set('Cookie', jar.map((c) => `${c.name}=${c.value}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const header of res.headers.getSetCookie()) {
      const { expired, ...cookie } = parseSetCookie(header, url);
      this.cookies = this.cookies.filter((c) => !(c.name === cookie.name && c.host === cookie.host && c.path === cookie.path));
      if (!expired) this.cookies.push(cookie);
    }
    return res;
  }
}

function location(res: Response, base: string | URL): URL {
  const to = res.headers.get('Location');
  if (!to || res.status < 300 || res.status > 399) throw new Error(`expected a redirect, got HTTP ${res.status}`);
  return new URL(to, base);
}

/**
 * Starts a sign-in at the worker and goes through the provider as `login` (logging in and
 * consenting, or pressing "abort" on the login page), up to the redirect back to the worker's
 * callback. Answers with that callback URL, not yet visited.
 */
export async function idpSignIn(client: CookieClient, baseUrl: string, login: string, opts: { abort?: boolean } = {}): Promise<URL> {
  const callback = `${baseUrl}/v1/ops/sso/callback`;
  let url = new URL(`${baseUrl}/v1/ops/sso/login`);
  let res = await client.fetch(url);
  for (let hop = 0; hop < 20; hop++) {
    if (res.status >= 300 && res.status < 400) {
      url = location(res, url);
      if (url.href.startsWith(callback)) return url;
      res = await client.fetch(url);
      continue;
    }
    const html = await res.text();
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    const action = /<form[^>]* action="([^"]+)"/.exec(html)?.[1];
    if (res.status !== 200 || !prompt || !action) throw new Error(`unexpected page at ${url.href}: HTTP ${res.status} ${html.slice(0, 500)}`);
    if (opts.abort) {
      url = new URL(`${url.pathname}/abort`, url);
      res = await client.fetch(url);
      continue;
    }
    const form = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any password' } : { prompt });
    url = new URL(action, url);
    res = await client.fetch(url, { method: 'POST', body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  }
  throw new Error('too many hops before the callback');
}
