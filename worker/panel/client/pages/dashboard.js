/** /ops: the brand's counts (GET .../summary), its open alerts (GET .../alerts), links to the queues. */
import { api, describe, say } from '../api.js';
import { $, $$, fillRows, h, pill, replace } from '../dom.js';
import { fmtTime } from '../format.js';

const COUNT_LABELS = [
  ['players', 'Players'], ['kyc_pending', 'KYC to review'], ['withdrawals_pending', 'Withdrawals to decide'],
  ['withdrawals_approved', 'Withdrawals to pay out'], ['adjustments_pending', 'Adjustments to approve'], ['alerts_open', 'Open alerts'],
];

export function alertRow(a, extra = []) {
  return h('tr', { dataset: { alertId: a.alert_id } },
    h('td', {}, pill(a.severity)), h('td', {}, a.rule), h('td', {}, a.summary),
    h('td', {}, h('a', { href: `/ops/players/${a.player_id}` }, a.player_id)), h('td', {}, fmtTime(a.occurred_at)), ...extra);
}

export async function dashboardPage(ctx) {
  const msg = $('#page-msg');
  if (!ctx.brand) { say(msg, 'info', 'You have no brand assigned: ask an admin.'); return; }
  $('#counts-brand').textContent = `(${ctx.brand})`;
  const jobs = [];
  if (ctx.can('player.search')) {
    jobs.push(api('GET', `/v1/ops/brands/${ctx.brand}/summary`).then((counts) => {
      replace($('#counts'), COUNT_LABELS.filter(([k]) => typeof counts[k] === 'number').map(([k, label]) =>
        h('div', { dataset: { count: k } }, h('dt', {}, label), h('dd', {}, String(counts[k])))));
      for (const el of $$('#queue-links [data-count]')) {
        const n = counts[el.dataset.count];
        el.textContent = typeof n === 'number' ? `(${n})` : '';
      }
    }));
  } else {
    replace($('#counts'), h('p', { class: 'muted' }, 'No counts for your role.'));
  }
  if (ctx.can('alert.read')) {
    jobs.push(api('GET', `/v1/ops/brands/${ctx.brand}/alerts`, { query: { state: 'open', limit: 10 } }).then((r) => {
      fillRows($('#dash-alerts'), r.alerts.map((a) => alertRow(a)), 'No open alerts.');
    }));
  }
  const results = await Promise.allSettled(jobs);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) say(msg, 'error', describe(failed.reason));
}
