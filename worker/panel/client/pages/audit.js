/**
 * /ops/audit: one day of a brand's (or the platform's) audit log (GET .../audit?day, paged), and
 * the hash-chain check over a range of days (GET .../audit/verify?from&to).
 */
import { api, busy, describe, say } from '../api.js';
import { $, fillRows, h, pill, replace } from '../dom.js';
import { fmtTime, todayUtc } from '../format.js';

export async function auditPage(ctx) {
  const msg = $('#page-msg');
  const params = new URLSearchParams(location.search);
  // The platform log (logins, operator management) is for operators over every brand.
  const scope = ctx.me.operator.brands;
  const logs = [...(scope.includes('*') || scope.includes('platform') ? ['platform'] : []), ...ctx.brands];
  const pick = $('#audit-brand');
  const wanted = params.get('log');
  replace(pick, logs.map((b) => h('option', { value: b, selected: b === (logs.includes(wanted) ? wanted : ctx.brand ?? logs[0]) }, b)));
  const day = $('#audit-day');
  day.value = /^\d{4}-\d{2}-\d{2}$/.test(params.get('day') ?? '') ? params.get('day') : todayUtc();
  $('#audit-action').value = params.get('action') ?? '';
  $('#verify-from').value = day.value;
  $('#verify-to').value = day.value;
  const table = $('#audit');
  const more = $('#audit-more');
  let after = 0;

  const row = (e) => h('tr', { dataset: { seq: String(e.seq), action: e.action } },
    h('td', {}, String(e.seq)), h('td', {}, fmtTime(e.at)), h('td', {}, e.actor_email ?? e.actor_id),
    h('td', {}, e.action), h('td', {}, e.target_type, e.target_id ? [' ', h('code', {}, e.target_id)] : ''),
    h('td', {}, pill(e.outcome), refusal(e)), h('td', {}, e.reason ?? ''));

  /** A failed entry's refusal code (after.refused, written by worker/ops/audit-refusals.ts). */
  function refusal(e) {
    if (e.outcome !== 'failed' || typeof e.after !== 'string') return '';
    try {
      const code = JSON.parse(e.after)?.refused?.code;
      return typeof code === 'string' ? [' ', h('code', { class: 'refusal' }, code)] : '';
    } catch { return ''; }
  }

  async function load(next) {
    if (!ctx.can('audit.read')) { say(msg, 'info', 'Your role does not include audit.read.'); return; }
    try {
      const r = await api('GET', `/v1/ops/brands/${pick.value}/audit`, { query: { day: day.value, after: next ? after : 0, limit: 100, action: $('#audit-action').value.trim() } });
      fillRows(table, r.entries.map(row), 'No entries on this day.', next);
      after = r.next_after_seq ?? 0;
      more.hidden = r.next_after_seq === null || r.next_after_seq === undefined;
      say(msg, 'ok', '');
    } catch (e) { say(msg, 'error', describe(e)); }
  }

  $('#audit-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const u = new URL(location.href);
    u.searchParams.set('log', pick.value);
    u.searchParams.set('day', day.value);
    if ($('#audit-action').value.trim()) u.searchParams.set('action', $('#audit-action').value.trim()); else u.searchParams.delete('action');
    history.replaceState(null, '', u);
    load(false);
  });
  more.addEventListener('click', () => load(true));

  const verifyForm = $('#verify-form');
  verifyForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const out = $('#verify-msg');
    busy(verifyForm, async () => {
      try {
        const r = await api('GET', `/v1/ops/brands/${pick.value}/audit/verify`, { query: { from: $('#verify-from').value, to: $('#verify-to').value } });
        const entries = r.days.reduce((n, d) => n + (d.entries ?? 0), 0);
        if (r.ok) say(out, 'ok', `Chain ok: ${r.days.length} day(s), ${entries} entries of ${pick.value}, every hash and link verified.`);
        else {
          const bad = r.days.filter((d) => !d.ok).map((d) => `${d.shard}: entry ${d.problem?.seq} ${d.problem?.reason ?? ''}`);
          say(out, 'error', `Chain broken: ${bad.join('; ')}`);
        }
      } catch (e) { say(out, 'error', describe(e)); }
    });
  });
  await load(false);
}
