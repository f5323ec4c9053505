/**
 * The status page `GET /` serves: one self-contained HTML document (no CDN, no build step), a card per service
 * kept live over Server-Sent Events (/api/events), with start/stop/restart buttons and an expandable log tail.
 * The cookie set by the token URL authenticates it; it shows nothing until the API answers.
 */
export const STATUS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>llama-top</title>
<style>
  :root { color-scheme: light dark; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --off: #6e7781; --ext: #0969da; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; padding: 1.5rem; background: Canvas; color: CanvasText; }
  header { display: flex; gap: 1rem; align-items: baseline; margin-bottom: 1rem; }
  header h1 { font-size: 1.3rem; margin: 0; }
  #conn { font-size: .85rem; color: var(--off); }
  #cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 1rem; }
  .card { border: 1px solid color-mix(in srgb, CanvasText 20%, transparent); border-radius: 8px; padding: .9rem 1rem; }
  .card h2 { font-size: 1.05rem; margin: 0 0 .3rem; display: flex; justify-content: space-between; align-items: center; }
  .state { font-size: .8rem; font-weight: 600; padding: .1rem .5rem; border-radius: 999px; color: white; background: var(--off); }
  .state.ready { background: var(--ok); } .state.starting, .state.draining, .state.stopping, .state.unhealthy { background: var(--warn); }
  .state.crashed, .state.error { background: var(--bad); } .state.external { background: var(--ext); }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; margin: .4rem 0; font-size: .9rem; }
  dt { color: var(--off); } dd { margin: 0; overflow-wrap: anywhere; }
  .error { color: var(--bad); font-size: .85rem; margin: .3rem 0; overflow-wrap: anywhere; }
  .buttons { display: flex; gap: .4rem; margin-top: .5rem; }
  button { font: inherit; padding: .2rem .7rem; border-radius: 6px; border: 1px solid color-mix(in srgb, CanvasText 30%, transparent); background: ButtonFace; color: ButtonText; cursor: pointer; }
  button:disabled { opacity: .5; cursor: default; }
  details { margin-top: .5rem; } pre { font-size: .75rem; max-height: 18rem; overflow: auto; background: color-mix(in srgb, CanvasText 6%, transparent); padding: .5rem; border-radius: 6px; white-space: pre-wrap; }
  #toast { position: fixed; bottom: 1rem; right: 1rem; padding: .5rem .8rem; border-radius: 6px; background: CanvasText; color: Canvas; display: none; }
</style>
</head>
<body>
<header><h1>llama-top</h1><span id="conn">connecting…</span></header>
<main id="cards"></main>
<div id="toast" role="status"></div>
<script>
"use strict";
const cards = document.getElementById('cards');
const conn = document.getElementById('conn');
const services = new Map();
const el = (tag, attrs = {}, text) => { const e = document.createElement(tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); if (text !== undefined) e.textContent = text; return e; };
const duration = (s) => s === null || s === undefined ? '–' : s < 60 ? s + 's' : s < 3600 ? Math.floor(s / 60) + 'm' : Math.floor(s / 3600) + 'h' + String(Math.floor(s % 3600 / 60)).padStart(2, '0') + 'm';
const bytes = (b) => b === null || b === undefined ? '–' : b < 1048576 ? (b / 1024).toFixed(0) + ' KB' : b < 1073741824 ? (b / 1048576).toFixed(0) + ' MB' : (b / 1073741824).toFixed(1) + ' GB';
function toast(text) { const t = document.getElementById('toast'); t.textContent = text; t.style.display = 'block'; clearTimeout(toast.timer); toast.timer = setTimeout(() => (t.style.display = 'none'), 5000); }
function llmText(s) {
  const l = s.llm; if (!l) return null;
  const parts = [];
  if (l.generationTokensPerSecond !== null && l.generationTokensPerSecond !== undefined) parts.push((l.generationEstimated ? '≈' : '') + l.generationTokensPerSecond.toFixed(1) + ' tok/s');
  if (l.slotsTotal) parts.push((l.slotsBusy ?? 0) + '/' + l.slotsTotal + ' slots busy');
  if (l.loadedModels && l.loadedModels.length) parts.push('loaded: ' + l.loadedModels.map((m) => m.name).join(', '));
  if (l.sleeping) parts.push('sleeping');
  return parts.join(' · ') || null;
}
function card(s) {
  let c = document.getElementById('svc-' + s.name);
  if (!c) {
    c = el('section', { class: 'card', id: 'svc-' + s.name, 'data-service': s.name });
    const h = el('h2'); h.append(el('span', { class: 'name' }, s.name), el('span', { class: 'state' }));
    const dl = el('dl');
    const err = el('div', { class: 'error' });
    const buttons = el('div', { class: 'buttons' });
    for (const action of ['start', 'stop', 'restart']) {
      const b = el('button', { 'data-action': action }, action);
      b.addEventListener('click', () => act(s.name, action, b));
      buttons.append(b);
    }
    const details = el('details'); details.append(el('summary', {}, 'log'), el('pre', { class: 'log' }, 'loading…'));
    details.addEventListener('toggle', () => details.open && loadLog(s.name, details.querySelector('pre')));
    c.append(h, dl, err, buttons, details);
    cards.append(c);
  }
  const state = c.querySelector('.state');
  state.textContent = s.state === 'draining' && s.drain ? 'draining (' + s.drain.inFlight + ' in flight)'
    : s.state === 'stopped' && s.stopReason ? 'stopped · ' + s.stopReason
    : s.detail && s.state !== 'ready' ? s.state + ' · ' + s.detail : s.state;
  state.className = 'state ' + s.state;
  c.setAttribute('data-state', s.state);
  const rows = [['kind', s.kind], ['model', s.model ? s.model.split('/').pop() : null], ['pid', s.pid], ['port', s.port], ['uptime', duration(s.uptimeSeconds)], ['restarts', s.restarts], ['CPU', s.cpuPercent === null ? null : s.cpuPercent.toFixed(0) + ' %'], ['memory', s.memoryBytes === null ? null : bytes(s.memoryBytes)], ['LLM', llmText(s)]];
  const dl = c.querySelector('dl'); dl.replaceChildren();
  for (const [k, v] of rows) if (v !== null && v !== undefined && v !== '') dl.append(el('dt', {}, k), el('dd', {}, String(v)));
  c.querySelector('.error').textContent = s.lastError && ['crashed', 'error', 'unhealthy'].includes(s.state) ? s.lastError : '';
  const running = ['starting', 'ready', 'unhealthy', 'draining', 'stopping'].includes(s.state);
  c.querySelector('[data-action=start]').disabled = running;
  c.querySelector('[data-action=stop]').disabled = !running;
}
async function act(name, action, button) {
  button.disabled = true;
  toast(action + ' ' + name + '…');
  try {
    const r = await fetch('/api/services/' + encodeURIComponent(name) + '/' + action, { method: 'POST' });
    const body = await r.json();
    if (!r.ok) throw new Error(body.error ? body.error.message : r.statusText);
    const o = body.results && body.results[0];
    toast(o ? (o.ok ? name + ': ' + o.state + ' in ' + (o.elapsedMs / 1000).toFixed(1) + ' s' : name + ': ' + (o.error || o.state)) : name + ': requested');
  } catch (e) { toast(name + ': ' + e.message); }
}
async function loadLog(name, pre) {
  try {
    const r = await fetch('/api/services/' + encodeURIComponent(name) + '/logs?lines=100');
    const body = await r.json();
    pre.textContent = body.lines.map((l) => l.line).join('\\n') || '(no log yet)';
    pre.scrollTop = pre.scrollHeight;
  } catch (e) { pre.textContent = 'cannot read the log: ' + e.message; }
}
function render(list) {
  for (const s of list) { services.set(s.name, s); card(s); }
  for (const c of [...cards.children]) if (!services.has(c.getAttribute('data-service'))) c.remove();
}
const events = new EventSource('/api/events');
events.addEventListener('snapshot', (e) => { services.clear(); render(JSON.parse(e.data).services); conn.textContent = 'live'; });
events.addEventListener('state', (e) => { const ev = JSON.parse(e.data); render([ev.status]); });
events.addEventListener('bye', () => { conn.textContent = 'the daemon stopped; reconnecting…'; });
events.onerror = () => { conn.textContent = 'reconnecting…'; };
// Figures (CPU, memory, tok/s) change without a state change: refresh them every 2 s.
setInterval(async () => {
  try { const r = await fetch('/api/status'); if (r.ok) render((await r.json()).services); } catch {}
}, 2000);
</script>
</body>
</html>
`;
