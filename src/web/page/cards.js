// A card per service: its state, figures, serve activity, charts and buttons.
import { ServiceCharts } from './charts.js';
import { bytes, duration, llmText, percent, serveParts, stateText } from './format.js';

const el = (tag, attrs = {}, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

const RUNNING = ['starting', 'ready', 'unhealthy', 'stopping', 'draining'];
const FAILED = ['crashed', 'error', 'unhealthy'];

export class Cards {
  /**
   * @param {HTMLElement} root
   * @param {{ act: (name: string, action: string, button: HTMLButtonElement) => void, showLogs: (name: string) => void }} actions
   */
  constructor(root, actions) {
    this.root = root;
    this.actions = actions;
    /** @type {Map<string, any>} */
    this.services = new Map();
    /** @type {Map<string, ServiceCharts>} */
    this.charts = new Map();
    this.history = null;
  }

  /** Every service as a status list says (a snapshot, or the periodic status). */
  renderAll(list) {
    const names = new Set(list.map((s) => s.name));
    for (const s of list) this.render(s);
    for (const [name] of this.services) if (!names.has(name)) this.remove(name);
  }

  remove(name) {
    this.services.delete(name);
    this.charts.get(name)?.destroy();
    this.charts.delete(name);
    document.getElementById(`svc-${name}`)?.remove();
  }

  render(s) {
    this.services.set(s.name, s);
    let c = document.getElementById(`svc-${s.name}`);
    if (!c) c = this.create(s);
    const state = c.querySelector('.state');
    state.textContent = stateText(s);
    state.className = `state ${s.state}`;
    state.title = stateText(s);
    c.setAttribute('data-state', s.state);
    this.renderServe(c, s);
    const rows = [
      ['kind', s.kind],
      ['model', s.model ? s.model.split('/').pop() : null],
      ['pid', s.pid],
      ['port', s.port],
      ['uptime', s.uptimeSeconds === null ? null : duration(s.uptimeSeconds)],
      ['restarts', s.restarts],
      ['CPU', s.cpuPercent === null ? null : percent(s.cpuPercent)],
      ['memory', s.memoryBytes === null ? null : bytes(s.memoryBytes)],
      ['GPU memory', s.gpuMemoryBytes ? bytes(s.gpuMemoryBytes) : null],
      ['LLM', llmText(s)],
      ['inference', s.inference && s.inference.result !== 'ok' ? `${s.inference.result}${s.inference.reason ? `: ${s.inference.reason}` : ''}` : null],
    ];
    const dl = c.querySelector('dl');
    dl.replaceChildren();
    for (const [k, v] of rows) {
      if (v === null || v === undefined || v === '') continue;
      const fact = el('div', { class: String(v).length > 14 ? 'fact wide' : 'fact' });
      fact.append(el('dt', {}, k), el('dd', { 'data-fact': k }, String(v)));
      dl.append(fact);
    }
    c.querySelector('.error').textContent = s.lastError && FAILED.includes(s.state) ? s.lastError : '';
    const running = RUNNING.includes(s.state);
    c.querySelector('[data-action=start]').disabled = running || s.state === 'external';
    c.querySelector('[data-action=stop]').disabled = !running;
    c.querySelector('[data-action=restart]').disabled = s.state === 'external';
    if (s.llm) this.charts.get(s.name)?.markLlm();
  }

  renderServe(c, s) {
    const box = c.querySelector('.serve');
    box.replaceChildren();
    const parts = serveParts(s, Date.now());
    parts.forEach((p, i) => {
      if (i > 0) box.append(' · ');
      box.append(el('span', p.waiting ? { class: 'waiting' } : {}, p.text));
    });
    box.hidden = parts.length === 0;
  }

  /** Countdowns (drain cut, idle stop) move every second without a new status. */
  tick() {
    for (const s of this.services.values()) {
      if (!s.serve && !s.drain) continue;
      const c = document.getElementById(`svc-${s.name}`);
      if (c) this.renderServe(c, s);
    }
  }

  create(s) {
    const c = el('section', { class: 'card', id: `svc-${s.name}`, 'data-service': s.name, 'aria-labelledby': `title-${s.name}` });
    const h = el('h2');
    h.append(el('span', { class: 'name', id: `title-${s.name}` }, s.name), el('span', { class: 'state', role: 'status' }));
    const serve = el('p', { class: 'serve', hidden: '' });
    const dl = el('dl');
    const err = el('div', { class: 'error', role: 'alert' });
    const charts = el('div', { class: 'charts' });
    const buttons = el('div', { class: 'buttons' });
    for (const action of ['start', 'stop', 'restart']) {
      const b = el('button', { type: 'button', 'data-action': action, 'aria-label': `${action} ${s.name}` }, action);
      b.addEventListener('click', () => this.actions.act(s.name, action, b));
      buttons.append(b);
    }
    const logs = el('button', { type: 'button', 'data-action': 'logs', 'aria-label': `show the log of ${s.name}` }, 'log');
    logs.addEventListener('click', () => this.actions.showLogs(s.name));
    buttons.append(logs);
    c.append(h, serve, dl, err, charts, buttons);
    // In name order, whatever order the events come in.
    const after = [...this.root.children].find((e) => e.getAttribute('data-service') > s.name);
    this.root.insertBefore(c, after ?? null);
    const sc = new ServiceCharts(charts, s.name);
    this.charts.set(s.name, sc);
    if (this.history) sc.setHistory(this.history.services[s.name] ?? [], this.history.events);
    return c;
  }

  /** The daemon's history: every card's charts start from it. */
  setHistory(history) {
    this.history = history;
    for (const [name, sc] of this.charts) sc.setHistory(history.services[name] ?? [], history.events);
  }

  addSample(sample) {
    for (const [name, point] of Object.entries(sample.services)) this.charts.get(name)?.addPoint(point);
  }

  addMark(mark) {
    for (const sc of this.charts.values()) sc.addMark(mark);
  }

  /** The colour scheme changed: charts are drawn on canvas in the old colours. */
  rebuildCharts() {
    for (const sc of this.charts.values()) sc.build();
  }
}
