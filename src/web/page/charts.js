// A service's small charts (uPlot, shipped by the daemon from the package): the last hour of CPU, memory and, for
// LLM servers, tok/s, with the marks of restarts, crashes and backend switches on the same time line.
import { bytes, clock, number, percent } from './format.js';

/** How much a chart shows at most… */
export const WINDOW_S = 3600;
/** …and at least (a service that started a few seconds ago still gets a readable line). */
const MIN_WINDOW_S = 60;

/** What each chart draws: the history point's key, its caption, its colour (a CSS variable) and its numbers. */
export const METRICS = [
  { key: 'cpu', label: 'CPU', color: '--cpu', format: percent, axis: (v, max) => `${tick(v, max)}%` },
  { key: 'memory', label: 'Memory', color: '--mem', format: bytes, axis: (v) => bytes(v).replace(' ', '') },
  { key: 'tokensPerSecond', label: 'tok/s', color: '--tps', format: (v) => (v === null || v === undefined ? '–' : `${number(v)} tok/s`), axis: (v, max) => tick(v, max), llm: true },
];

/** The smallest 1, 2, 2.5 or 5 × 10^k at or above `v` (in units of 1024^k bytes for memory): the y axis' top. */
export function niceCeil(v, binary = false) {
  if (!(v > 0)) return 1;
  const unit = binary ? 1024 ** Math.max(0, Math.floor(Math.log(v) / Math.log(1024))) : 1;
  const x = v / unit;
  const p = 10 ** Math.floor(Math.log10(x));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * p >= x - 1e-9);
  return step * p * unit;
}

/** An axis number: whole numbers when the scale is wide, one decimal when it is small. */
const tick = (v, max) => (max >= 10 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1));

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

const MARK_TEXT = { restart: 'restarted', start: 'started', crash: 'crashed', 'gave-up': 'gave up', stopped: 'stopped', 'backend-switch': 'backend switched', 'idle-stop': 'idle stop', 'started-on-demand': 'started on demand' };

/** One service's series, kept for the window, and its charts. */
export class ServiceCharts {
  /** @param {HTMLElement} container @param {string} service */
  constructor(container, service) {
    this.container = container;
    this.service = service;
    /** @type {number[]} seconds */
    this.xs = [];
    /** @type {Record<string, (number|null)[]>} */
    this.ys = Object.fromEntries(METRICS.map((m) => [m.key, []]));
    /** @type {{t:number, event:string, reason:string|null}[]} */
    this.marks = [];
    this.llm = false;
    /** @type {Map<string, {figure: HTMLElement, plot: any, now: HTMLElement, empty: HTMLElement}>} */
    this.charts = new Map();
    this.width = 300;
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(container);
    this.build();
  }

  /** Shows the tok/s chart from now on (the service turned out to be an LLM server). */
  markLlm() {
    if (this.llm) return;
    this.llm = true;
    this.build();
  }

  /** Replaces the series with the daemon's history and its marks. */
  setHistory(points, marks) {
    this.xs = [];
    for (const m of METRICS) this.ys[m.key] = [];
    for (const p of points) this.push(p);
    this.marks = marks.filter((m) => m.service === this.service || m.service === null).map((m) => ({ t: m.t, event: m.event, reason: m.reason }));
    this.redraw();
  }

  addPoint(point) {
    this.push(point);
    this.trim();
    this.redraw();
  }

  addMark(mark) {
    if (mark.service !== this.service && mark.service !== null) return;
    this.marks.push({ t: mark.t, event: mark.event, reason: mark.reason });
    this.redraw();
  }

  push(p) {
    const x = p.t / 1000;
    if (this.xs.length && x <= this.xs[this.xs.length - 1]) return; // one point per time, in order
    this.xs.push(x);
    for (const m of METRICS) this.ys[m.key].push(p[m.key] ?? null);
    if (p.tokensPerSecond !== null && p.tokensPerSecond !== undefined) this.markLlm();
  }

  trim() {
    const from = Date.now() / 1000 - WINDOW_S;
    let drop = 0;
    while (drop < this.xs.length && this.xs[drop] < from) drop++;
    if (drop === 0) return;
    this.xs.splice(0, drop);
    for (const m of METRICS) this.ys[m.key].splice(0, drop);
    this.marks = this.marks.filter((k) => k.t / 1000 >= from);
  }

  /** (Re)makes the charts: at the start, when tok/s appears, and when the colour scheme changes. */
  build() {
    for (const c of this.charts.values()) c.plot.destroy();
    this.charts.clear();
    this.container.replaceChildren();
    if (typeof uPlot === 'undefined') return; // the library did not load: the card still shows its figures
    this.width = Math.max(200, this.container.clientWidth || 300);
    for (const metric of METRICS) {
      if (metric.llm && !this.llm) continue;
      const figure = document.createElement('figure');
      figure.className = 'chart';
      figure.dataset.metric = metric.key;
      figure.tabIndex = 0; // ← / → step through the points as a hover would, Home / End jump to the ends
      figure.addEventListener('keydown', (e) => this.key(metric.key, e));
      figure.addEventListener('blur', () => this.charts.get(metric.key)?.plot.setCursor({ left: -10, top: -10 }));
      const caption = document.createElement('figcaption');
      const label = document.createElement('span');
      label.className = 'label';
      const now = document.createElement('span');
      now.className = 'now';
      caption.append(label, now);
      const plotBox = document.createElement('div');
      plotBox.className = 'plot';
      const empty = document.createElement('div');
      empty.className = 'empty';
      empty.textContent = 'no figures yet';
      figure.append(caption, plotBox, empty);
      this.container.append(figure);
      const color = css(metric.color) || '#0969da';
      const muted = css('--muted') || '#888';
      const grid = css('--line') || '#ddd';
      const opts = {
        width: this.width,
        height: 76,
        cursor: { y: false, drag: { x: false, y: false }, points: { size: 6 } },
        legend: { live: true },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, niceCeil(max, metric.key === 'memory')] } },
        axes: [
          { stroke: muted, font: '10px system-ui, sans-serif', size: 22, grid: { show: false }, ticks: { size: 3, stroke: grid } },
          { stroke: muted, font: '10px system-ui, sans-serif', size: 46, grid: { stroke: grid, width: 1 }, ticks: { show: false }, values: (u, vals) => vals.map((v) => metric.axis(v, u.scales.y.max ?? 0)), splits: (_u, _i, _min, max) => [0, max / 2, max] },
        ],
        series: [
          { label: 'time', value: (_u, v) => (v === null || v === undefined ? '–' : clock(v * 1000)) },
          { label: metric.label, stroke: color, fill: `${color}22`, width: 1.5, spanGaps: false, points: { show: false }, value: (_u, v) => metric.format(v) },
        ],
        hooks: { draw: [(u) => this.placeMarks(u)] },
      };
      // eslint-disable-next-line no-undef
      const plot = new uPlot(opts, [this.xs, this.ys[metric.key]], plotBox);
      this.charts.set(metric.key, { figure, plot, now, empty });
    }
    this.redraw();
  }

  redraw() {
    const nowS = Date.now() / 1000;
    // What exists of the last hour: from the first point (a minute at least) to now.
    const from = Math.min(nowS - MIN_WINDOW_S, Math.max(nowS - WINDOW_S, this.xs[0] ?? nowS));
    const span = nowS - from;
    const spanText = span >= WINDOW_S - 60 ? 'last hour' : `last ${span < 120 ? `${Math.round(span)} s` : `${Math.round(span / 60)} min`}`;
    for (const [key, c] of this.charts) {
      const ys = this.ys[key];
      c.plot.batch(() => {
        c.plot.setData([this.xs.slice(), ys.slice()], false);
        c.plot.setScale('x', { min: from, max: nowS });
      });
      c.figure.querySelector('.label').textContent = `${METRICS.find((m) => m.key === key).label} · ${spanText}`;
      const points = ys.filter((v) => v !== null).length;
      c.figure.dataset.points = String(points);
      c.empty.hidden = points > 0;
      const last = [...ys].reverse().find((v) => v !== null);
      const metric = METRICS.find((m) => m.key === key);
      c.now.textContent = last === undefined ? '' : metric.format(last);
      c.figure.setAttribute('aria-label', `${metric.label} of ${this.service} over the ${spanText}: ${points} points${last === undefined ? '' : `, now ${metric.format(last)}`}, ${this.marks.length} marks`);
    }
  }

  /** The marks as lines over the plot (DOM, so a hover names them and a test can find them). */
  placeMarks(u) {
    const over = u.over;
    over.querySelectorAll('.mark').forEach((m) => m.remove());
    const [min, max] = [u.scales.x.min, u.scales.x.max];
    for (const mark of this.marks) {
      const x = mark.t / 1000;
      if (x < min || x > max) continue;
      const line = document.createElement('span');
      line.className = `mark ${mark.event}`;
      line.dataset.event = mark.event;
      line.title = `${MARK_TEXT[mark.event] ?? mark.event} at ${clock(mark.t)}${mark.reason ? `: ${mark.reason}` : ''}`;
      line.style.left = `${u.valToPos(x, 'x')}px`;
      over.append(line);
    }
  }

  /** The keyboard's hover: the cursor on a point, its value and time in the legend. */
  key(metricKey, e) {
    const c = this.charts.get(metricKey);
    const n = this.xs.length;
    if (!c || n === 0 || !['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) return;
    e.preventDefault();
    const now = c.plot.cursor.idx;
    const at = e.key === 'Home' ? 0 : e.key === 'End' || now === null || now === undefined ? n - 1 : Math.min(n - 1, Math.max(0, now + (e.key === 'ArrowLeft' ? -1 : 1)));
    const y = this.ys[metricKey][at];
    c.plot.setCursor({ left: c.plot.valToPos(this.xs[at], 'x'), top: y === null ? c.plot.over.clientHeight / 2 : c.plot.valToPos(y, 'y') });
  }

  resize() {
    const width = Math.max(200, this.container.clientWidth);
    if (Math.abs(width - this.width) < 2) return;
    this.width = width;
    for (const c of this.charts.values()) c.plot.setSize({ width, height: 76 });
  }

  destroy() {
    this.observer.disconnect();
    for (const c of this.charts.values()) c.plot.destroy();
    this.charts.clear();
  }
}
