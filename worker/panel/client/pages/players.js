/** /ops/players: search the brand's players (GET /v1/ops/brands/{brand}/players), emails masked. */
import { api, describe, say } from '../api.js';
import { $, fillRows, h, pill } from '../dom.js';
import { fmtTime } from '../format.js';

export async function playersPage(ctx) {
  const msg = $('#page-msg');
  if (!ctx.brand) { say(msg, 'info', 'You have no brand assigned: ask an admin.'); return; }
  const form = $('#search-form');
  const table = $('#results');
  const more = $('#more');
  const params = new URLSearchParams(location.search);
  $('#search-q').value = params.get('q') ?? '';
  $('#search-status').value = params.get('status') ?? '';
  $('#search-kyc').value = params.get('kyc_status') ?? '';
  let next = null;

  const row = (p) => h('tr', { dataset: { playerId: p.player_id } },
    h('td', {}, h('a', { href: `/ops/players/${p.player_id}` }, p.player_id)), h('td', {}, p.email), h('td', {}, `${p.jurisdiction} (${p.country})`),
    h('td', {}, p.currency), h('td', {}, pill(p.status)), h('td', {}, pill(p.kyc_status)), h('td', {}, p.vip ? 'VIP' : ''), h('td', {}, fmtTime(p.created_at)));

  async function search(after) {
    const query = { q: $('#search-q').value.trim(), status: $('#search-status').value, kyc_status: $('#search-kyc').value, limit: 25, after };
    try {
      const r = await api('GET', `/v1/ops/brands/${ctx.brand}/players`, { query });
      fillRows(table, r.players.map(row), 'No players match.', Boolean(after));
      next = r.next;
      more.hidden = !next;
      say(msg, 'ok', '');
    } catch (e) {
      say(msg, 'error', describe(e));
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const u = new URL(location.href);
    for (const k of ['q', 'status', 'kyc_status']) {
      const v = form.elements[k].value.trim();
      if (v) u.searchParams.set(k, v); else u.searchParams.delete(k);
    }
    history.replaceState(null, '', u);
    search(undefined);
  });
  more.addEventListener('click', () => next && search(next));
  await search(undefined);
}
