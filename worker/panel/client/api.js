/**
 * Every call the panel makes goes through here, to the same /v1/ops JSON APIs any client uses:
 * same-origin credentials (the HttpOnly session cookie), the session's CSRF token on every change,
 * and errors turned into ApiError from the API's {error:{code,message,details}} shape.
 */
let csrf = null;

export function setCsrf(token) {
  csrf = token;
}

export class ApiError extends Error {
  constructor(status, code, message, details, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details ?? {};
    this.retryAfter = retryAfter;
  }
}

export function loginUrl() {
  return `/ops/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

/**
 * api('POST', '/v1/ops/...', { body, query, idempotencyKey, noRedirect }). A 401 sends the browser
 * to the login page (the session ended) unless noRedirect.
 */
export async function api(method, path, opts = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  const headers = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  let res;
  try {
    res = await fetch(url, { method, headers, credentials: 'same-origin', cache: 'no-store', body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  } catch {
    throw new ApiError(0, 'network_error', 'the server could not be reached; check the connection and try again');
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (res.ok) return data ?? {};
  const err = data?.error;
  const e = new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? (res.statusText || 'request failed'), err?.details, res.headers.get('Retry-After'));
  if (res.status === 401 && !opts.noRedirect && location.pathname !== '/ops/login') {
    location.assign(loginUrl());
  }
  throw e;
}

/** A human sentence for an error, with the API's code (and the wait, when rate limited). */
export function describe(e) {
  if (!(e instanceof ApiError)) return `Unexpected error: ${e?.message ?? e}`;
  let s = `${e.message} (${e.code})`;
  if (e.code === 'four_eyes_violation') s = `Four eyes: you cannot decide your own request. ${s}`;
  if (e.status === 429 && e.retryAfter) s += ` — try again in ${e.retryAfter} s`;
  const listed = issueList(e.details?.issues);
  if (listed && !e.message.includes(listed)) s += `: ${listed}`;
  return s;
}

/**
 * `details.issues` of a 400 as `field: message; ...`. The API sends `path` as one dot-joined string
 * ("limits.0.value", "" for the body itself: worker/http/validation.ts); an array of segments is
 * accepted too, so an odd shape never hides the message.
 */
export function issueList(issues) {
  if (!Array.isArray(issues)) return '';
  return issues.map((i) => {
    const path = Array.isArray(i?.path) ? i.path.join('.') : typeof i?.path === 'string' ? i.path : '';
    return `${path || '(body)'}: ${i?.message ?? 'invalid'}`;
  }).join('; ');
}

/**
 * Checks an action's fields before anything is sent: every `required` input in `box` must hold at
 * least its minlength (1 if none) after trimming, as the API's own rules count. On the first that
 * does not, says so in `out`, marks it invalid and focuses it, and returns false.
 */
export function checkRequired(box, out) {
  for (const input of box.querySelectorAll('input[required], select[required], textarea[required]')) {
    const min = Math.max(1, Number(input.getAttribute('minlength') ?? 1));
    const ok = input.value.trim().length >= min;
    input.setAttribute('aria-invalid', ok ? 'false' : 'true');
    if (ok) continue;
    const name = input.dataset.label || input.name || 'This field';
    say(out, 'error', `${name[0].toUpperCase()}${name.slice(1)} is required${min > 1 ? ` (at least ${min} characters)` : ''}: nothing was sent.`);
    input.focus();
    return false;
  }
  return true;
}

/** Puts a message into a .msg element: kind is 'ok', 'error' or 'info'. */
export function say(el, kind, text) {
  if (!el) return;
  el.className = `msg ${kind}`;
  el.textContent = text;
}

export function sayError(el, e) {
  say(el, 'error', describe(e));
}

/**
 * A fresh Idempotency-Key per submission, reused while the same submission (same fields) is retried
 * after an unknown outcome (network error, 5xx); forgotten once the server gave a definite answer.
 */
export function submission() {
  let key = null;
  let fingerprint = null;
  return {
    key(fp) {
      if (key === null || fp !== fingerprint) {
        const bytes = crypto.getRandomValues(new Uint8Array(16));
        key = `panel-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
        fingerprint = fp;
      }
      return key;
    },
    settle(e) {
      if (e === undefined || (e instanceof ApiError && e.status >= 400 && e.status < 500)) { key = null; fingerprint = null; }
    },
  };
}

/** Disables a form's buttons while fn runs (no double submissions). */
export async function busy(form, fn) {
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((b) => { b.disabled = true; });
  try {
    return await fn();
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}
