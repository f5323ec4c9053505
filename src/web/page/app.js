// llama-top's status page: cards kept live over Server-Sent Events (/api/events: snapshot, state changes, a history
// sample per sampling interval, marks), the stack at a glance, and the log viewer. Every request goes to this
// listener only (the daemon's CSP says so too); the cookie set by the token URL authenticates them.
import { Cards } from './cards.js';
import { api, BackendPicker, Models, renderProblems } from './glance.js';
import { LogViewer } from './logs.js';
import { Serving } from './serving.js';
import { WINDOW_S } from './charts.js';

const $ = (id) => document.getElementById(id);
const conn = $('conn');

function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.classList.add('shown');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove('shown'), 5000);
}

async function act(name, action, button) {
  button.disabled = true;
  toast(`${action} ${name}…`);
  try {
    const body = await api(`/api/services/${encodeURIComponent(name)}/${action}`, { method: 'POST' });
    const o = body.results && body.results[0];
    toast(o ? (o.ok ? `${name}: ${o.state} in ${(o.elapsedMs / 1000).toFixed(1)} s` : `${name}: ${o.error || o.state}`) : `${name}: requested`);
  } catch (e) {
    toast(`${name}: ${e.message}`);
  }
}

const logs = new LogViewer();
const cards = new Cards($('cards'), {
  act,
  showLogs: (name) => {
    logs.open(name);
    $('logs').scrollIntoView({ behavior: 'smooth', block: 'start' });
    $('log-search').focus({ preventScroll: true });
  },
});
const backend = new BackendPicker();
const models = new Models((name) => cards.services.get(name));
const serving = new Serving(api);

/** Refreshes what depends on a service's state, at most once a second however many changes come. */
let glanceTimer = null;
function refreshGlanceSoon() {
  clearTimeout(glanceTimer);
  glanceTimer = setTimeout(() => {
    void backend.refresh();
    void models.refresh();
  }, 1000);
}

function render(list) {
  cards.renderAll(list);
  logs.setServices(list.map((s) => s.name).sort());
}

async function loadHistory() {
  try {
    cards.setHistory(await api(`/api/history?since=${WINDOW_S}`));
  } catch (e) {
    toast(`cannot read the history: ${e.message}`);
  }
}

const events = new EventSource('/api/events');
events.addEventListener('snapshot', (e) => {
  render(JSON.parse(e.data).services);
  conn.textContent = 'live';
  conn.className = 'live';
  void loadHistory(); // (again after a reconnect: the daemon may have been replaced)
  refreshGlanceSoon();
});
events.addEventListener('state', (e) => {
  const ev = JSON.parse(e.data);
  cards.render(ev.status);
  if (backend.services().has(ev.service) || ev.status.llm || ['ready', 'stopped'].includes(ev.to)) refreshGlanceSoon();
});
events.addEventListener('sample', (e) => cards.addSample(JSON.parse(e.data)));
events.addEventListener('mark', (e) => cards.addMark(JSON.parse(e.data)));
events.addEventListener('bye', () => {
  conn.textContent = 'the daemon stopped; reconnecting…';
  conn.className = '';
});
events.onerror = () => {
  conn.textContent = 'reconnecting…';
  conn.className = '';
};

// Figures in the cards (uptime, LLM details) and the stack's problems: a status every 5 s.
async function poll() {
  try {
    const status = await api('/api/status');
    render(status.services);
    renderProblems(status.problems ?? []);
    void serving.refresh();
  } catch {
    // the event stream says when the daemon is gone
  }
}
setInterval(poll, 5000);
void poll();
api('/api/daemon')
  .then((info) => ($('stack-name').textContent = info.name ?? ''))
  .catch(() => undefined);

// Countdowns (idle stop, drain cut, model unload) move every second.
setInterval(() => {
  cards.tick();
  if (models.reports.some((r) => r.loaded?.some((m) => m.expiresAt))) models.render();
}, 1000);
setInterval(() => void models.refresh(), 30_000);

// Charts are drawn in the scheme's colours: redrawn when it changes.
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => cards.rebuildCharts());
