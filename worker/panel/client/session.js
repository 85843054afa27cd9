/**
 * The signed-in frame of every page: who am I (GET /v1/ops/me: operator, permissions, brands and
 * the CSRF token of the cookie session), the brand selector, logout, and hiding what this operator
 * may not do. The API enforces all of it regardless.
 */
import { api, describe, say, setCsrf } from './api.js';
import { $, $$, h, replace } from './dom.js';

const BRAND_KEY = 'ops.brand';

export async function startSession() {
  let me;
  try {
    me = await api('GET', '/v1/ops/me');
  } catch (e) {
    say($('#page-msg'), 'error', describe(e));
    return null;
  }
  setCsrf(me.csrf_token);
  const perms = new Set(me.permissions);
  const can = (p) => perms.has(p);
  applyPermissions(can);

  const url = new URL(location.href);
  const wanted = url.searchParams.get('brand') ?? localStorage.getItem(BRAND_KEY);
  const brand = me.brands.includes(wanted) ? wanted : (me.brands[0] ?? null);
  if (brand) localStorage.setItem(BRAND_KEY, brand);

  const select = $('#brand-select');
  if (select) {
    replace(select, me.brands.map((b) => h('option', { value: b, selected: b === brand }, b)));
    select.addEventListener('change', () => {
      localStorage.setItem(BRAND_KEY, select.value);
      const u = new URL(location.href);
      u.searchParams.set('brand', select.value);
      location.assign(u);
    });
  }
  replace($('#who'), h('span', { title: me.operator.email }, me.operator.display_name), ' ', h('span', { class: 'muted' }, `(${me.operator.roles.join(', ')})`));
  $('#logout')?.addEventListener('click', async () => {
    try {
      await api('DELETE', '/v1/ops/sessions/current', { noRedirect: true });
    } catch (e) {
      if (e.status !== 401) { say($('#page-msg'), 'error', describe(e)); return; }
    }
    location.assign('/ops/login');
  });
  return { me, can, brand, brands: me.brands };
}

/** Hides every [data-perm] element whose permission the operator lacks. */
export function applyPermissions(can, root = document) {
  for (const el of $$('[data-perm]', root)) {
    if (!can(el.dataset.perm)) el.hidden = true;
  }
}
