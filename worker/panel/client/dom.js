/**
 * A tiny DOM builder. Text always goes in as text nodes (never innerHTML), so nothing an API
 * returns can become markup.
 */

/** h('td', { class: 'num' }, 'text', otherNode); attributes starting with `on` become listeners. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

/** Rows into a table's tbody (or an "empty" row spanning the columns). */
export function fillRows(table, rows, emptyText = 'Nothing here.', appendRows = false) {
  const body = table.tBodies[0];
  if (!appendRows) clear(body);
  if (!rows.length && !appendRows) {
    const cols = table.tHead?.rows[0]?.cells.length ?? 1;
    body.append(h('tr', {}, h('td', { colspan: cols, class: 'empty' }, emptyText)));
    return;
  }
  for (const r of rows) body.append(r);
}

export function pill(value) {
  return h('span', { class: `pill ${String(value ?? '').replace(/[^a-z_]/gi, '')}` }, value ?? '');
}
