/**
 * The coarse device of a request, for analytics (segments such as "mobile players"), never for
 * security: the User-Agent and the app header are whatever the client says.
 *
 * Our own apps identify themselves with `X-Client: app/<platform>/<version>` (e.g. `app/ios/4.12.0`,
 * `app/android/4.12.0`); a well-formed header wins over the User-Agent (an app's web view sends a
 * phone's UA). Otherwise the User-Agent decides: tablets (iPad, Android without "Mobile", Kindle),
 * then phones, then desktop systems. Bots, scripts (curl, HTTP libraries) and anything that is not a
 * browser are `unknown`, as is a missing header. iPadOS 13+ Safari presents itself as a Mac by
 * default and is counted as desktop: nothing in the request tells them apart.
 */
export const DEVICES = ['mobile', 'desktop', 'tablet', 'app', 'unknown'] as const;
export type Device = (typeof DEVICES)[number];

/** The app header: `app/<platform>/<version>`, platform and version short and plain. */
export const APP_CLIENT = /^app\/[a-z][a-z0-9_-]{0,31}\/[0-9][0-9A-Za-z.+-]{0,31}$/i;

/** Longer User-Agents are cut: the rules only look at the start, and regexes stay bounded. */
const UA_CHARS_MAX = 512;

const NOT_A_PERSON = /bot\b|bot\/|crawl|spider|slurp|headless|lighthouse|preview|curl\/|wget\/|python-|httpclient|okhttp|go-http-client|node-fetch|undici|axios|postman|java\//i;
const TABLET = /iPad|Tablet|Kindle|Silk\/|PlayBook/i;
const ANDROID = /Android/i;
const PHONE = /Mobi|iPhone|iPod|Windows Phone|BlackBerry|BB10|Opera Mini/i;
const DESKTOP = /Windows NT|Macintosh|Mac OS X|X11|Linux|CrOS/i;

export function deviceOf(userAgent: string | null | undefined, client?: string | null): Device {
  if (client && APP_CLIENT.test(client.trim())) return 'app';
  const ua = (userAgent ?? '').slice(0, UA_CHARS_MAX);
  // Every browser since the 1990s starts with Mozilla/ (Opera before 15 with Opera/).
  if (!/^(Mozilla|Opera)\//.test(ua) || NOT_A_PERSON.test(ua)) return 'unknown';
  if (TABLET.test(ua)) return 'tablet';
  if (ANDROID.test(ua)) return /Mobile/i.test(ua) ? 'mobile' : 'tablet'; // Google's rule: Android tablets drop "Mobile"
  if (PHONE.test(ua)) return 'mobile';
  if (DESKTOP.test(ua)) return 'desktop';
  return 'unknown';
}
