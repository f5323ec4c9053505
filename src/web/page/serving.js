// The serve endpoint's activity: requests per minute per model over the last hour (a bar strip each, plain SVG),
// the queues, cold starts per service and the last requests. Hidden when the config has no `serve:`.
import { clock } from './format.js';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const el = (tag, attrs = {}, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

/** The last hour's requests per minute as bars, oldest left; each bar's title says its minute and count. Pure DOM. */
export function minuteBars(counts, now, label) {
  const w = 240;
  const h = 28;
  const top = Math.max(1, ...counts);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('class', 'bars');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  const step = w / counts.length;
  counts.forEach((n, i) => {
    if (n === 0) return;
    const bar = document.createElementNS(SVG, 'rect');
    const bh = Math.max(1.5, (n / top) * (h - 2));
    bar.setAttribute('x', String(i * step + 0.5));
    bar.setAttribute('y', String(h - bh));
    bar.setAttribute('width', String(Math.max(1, step - 1)));
    bar.setAttribute('height', String(bh));
    const title = document.createElementNS(SVG, 'title');
    const minute = new Date(now - (counts.length - 1 - i) * 60_000);
    title.textContent = `${clock(minute.setSeconds(0, 0))}: ${n} request${n === 1 ? '' : 's'}`;
    bar.append(title);
    svg.append(bar);
  });
  return svg;
}

export class Serving {
  constructor(api) {
    this.api = api;
    this.section = $('serving');
    this.report = null;
  }

  async refresh() {
    try {
      this.report = await this.api('/api/serve');
    } catch {
      return;
    }
    this.render();
  }

  render() {
    const r = this.report;
    this.section.hidden = !r;
    if (!r) return;
    const now = Date.now();
    $('serve-url').textContent = r.url ? `${r.url}/v1` : 'not listening';
    const rates = $('serve-rates');
    rates.replaceChildren();
    if (r.perMinute.length === 0) rates.append(el('p', {}, 'no request yet'));
    for (const m of r.perMinute) {
      const lastMinute = m.counts.at(-1) ?? 0;
      const hour = m.counts.reduce((a, b) => a + b, 0);
      const row = el('div', { class: 'rate', 'data-serve-model': m.model });
      row.append(el('span', { class: 'rate-model' }, m.model), minuteBars(m.counts, now, `${m.model}: requests per minute, last hour`), el('span', { class: 'rate-figures' }, `${lastMinute}/min · ${hour} in the hour`));
      rates.append(row);
    }
    const facts = [];
    const waiting = r.queues.filter((q) => q.depth > 0).map((q) => `${q.depth} waiting in ${q.group}`);
    facts.push(waiting.length ? waiting.join(', ') : 'nothing waiting');
    const cold = Object.entries(r.coldStarts).map(([service, n]) => `${service} ${n}`);
    facts.push(`cold starts: ${cold.length ? cold.join(', ') : 'none'}`);
    $('serve-facts').textContent = facts.join(' · ');
    const body = $('serve-last');
    body.replaceChildren();
    for (const q of r.last) {
      const tr = el('tr', { class: q.status >= 400 ? 'error' : '' });
      const tokens = q.tokensIn !== null || q.tokensOut !== null ? `${q.tokensIn ?? '–'} → ${q.tokensOut ?? '–'}` : '';
      const wait = q.waitedMs > 0 ? `${(q.waitedMs / 1000).toFixed(1)} s${q.coldStart ? ' (cold start)' : ''}` : '';
      for (const cell of [clock(Date.parse(q.at)), q.model, q.service, String(q.status), tokens, `${q.durationMs} ms`, wait]) tr.append(el('td', {}, cell));
      body.append(tr);
    }
  }
}
