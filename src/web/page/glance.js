// The stack at a glance: the daemon's problems, the chat app's backend (with a picker), the models.
import { bytes, count, countdown, stateText, stepOf } from './format.js';

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

/** A JSON API call: the answer, or an Error with the daemon's message. */
export async function api(path, init) {
  const r = await fetch(path, init);
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    const error = new Error(body.error ? body.error.message : `${r.status} ${r.statusText}`);
    error.code = body.error?.code;
    error.status = r.status;
    throw error;
  }
  return body;
}

/** What is wrong with the stack as a whole (a full disk, unsaved or lost state). */
export function renderProblems(problems) {
  const box = $('problems');
  box.replaceChildren(...problems.map((p) => el('p', {}, `⚠ ${p}`)));
  box.hidden = problems.length === 0;
}

/** The chat app's backend: each choice with its health and the reason of a ✗, and the switch. */
export class BackendPicker {
  constructor() {
    this.form = $('backend');
    this.choices = $('backend-choices');
    this.result = $('backend-result');
    this.button = $('backend-switch');
    this.switching = false;
    this.report = null;
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.switchTo();
    });
  }

  /** The services the backends run on: a change of their state may change a choice's health. */
  services() {
    return new Set([this.report?.app, ...(this.report?.backends ?? []).map((b) => b.service)].filter(Boolean));
  }

  async refresh() {
    if (this.switching) return;
    let report;
    try {
      // The daemon's info has a `backend` key only when the config has a `backend:` section (read each time: a
      // reload may add or remove it). Without one there is nothing to pick, and nothing to ask.
      if (!('backend' in (await api('/api/daemon')))) {
        this.report = null;
        this.form.hidden = true;
        return;
      }
      report = await api('/api/backend?health=1');
    } catch {
      return;
    }
    if (this.switching) return;
    this.report = report;
    this.form.hidden = false;
    $('backend-app').textContent = `(app: ${report.app})`;
    // Updated in place: a choice being clicked or focused stays the same element, and keeps the user's pick.
    const picked = this.form.querySelector('input[name=backend]:checked')?.value;
    const keep = picked && picked !== this.shownActive ? picked : null; // picked, not switched to yet
    this.shownActive = report.active;
    const names = new Set(report.backends.map((b) => b.name));
    for (const label of [...this.choices.children]) if (!names.has(label.dataset.backend)) label.remove();
    for (const b of report.backends) {
      const id = `backend-${b.name}`;
      let label = this.choices.querySelector(`[data-backend="${CSS.escape(b.name)}"]`);
      if (!label) {
        label = el('label', { class: 'choice', for: id, 'data-backend': b.name });
        label.append(el('input', { type: 'radio', name: 'backend', id, value: b.name }), el('span', { class: 'about' }));
        this.choices.append(label);
      }
      const radio = label.querySelector('input');
      radio.checked = keep ? keep === b.name : b.active;
      const health = b.healthy === true ? ['ok', '✓', 'healthy'] : b.healthy === false ? ['bad', '✗', 'unhealthy'] : ['unknown', '?', 'health unknown'];
      const about = label.querySelector('.about');
      const parts = [el('span', { class: 'name' }, b.name)];
      if (b.service) parts.push(el('span', { class: 'svc' }, `→ ${b.service}`));
      parts.push(el('span', { class: `health ${health[0]}`, title: health[2], 'aria-label': health[2] }, health[1]));
      if (b.reason) parts.push(el('span', { class: 'reason' }, b.reason));
      if (b.active) parts.push(el('span', { class: 'active-tag' }, 'active'));
      about.replaceChildren(...parts);
    }
    if (report.active === null) this.say('the app\'s backend value cannot be read', true);
  }

  say(text, error = false) {
    this.result.replaceChildren();
    this.result.className = error ? 'error' : '';
    const split = error ? stepOf(text) : null;
    if (split) this.result.append(split.before, el('span', { class: 'step' }, split.step), split.after);
    else this.result.textContent = text;
  }

  async switchTo() {
    const name = this.form.querySelector('input[name=backend]:checked')?.value;
    if (!name) return this.say('pick a backend first', true);
    const force = $('backend-force').checked;
    this.switching = true;
    this.button.disabled = true;
    this.say(`switching to ${name}… (start its server if needed, rewrite the app's config, restart the app)`);
    try {
      const r = await api('/api/backend/switch', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, force }) });
      this.say(r.changed ? `switched ${r.from ?? '(unset)'} → ${r.to} in ${(r.elapsedMs / 1000).toFixed(1)} s${r.stopped ? ` (stopped ${r.stopped})` : ''}` : `already on ${r.to}`);
    } catch (error) {
      this.say(error.message, true);
    } finally {
      this.switching = false;
      this.button.disabled = false;
      await this.refresh(); // the choices' health and the active one, after the switch (its outcome stays in view)
    }
  }
}

/** States in which a server cannot list its models and nothing is wrong. */
const CALM = ['stopped', 'starting', 'stopping', 'draining'];

/** GGUF header facts of llama-server models, ollama's installed and loaded models (with their unload countdown). */
export class Models {
  /** @param {(name: string) => any} statusOf a service's last status (the cards'), undefined when unknown */
  constructor(statusOf) {
    this.section = $('models');
    this.list = $('models-list');
    this.reports = [];
    this.statusOf = statusOf;
  }

  async refresh() {
    try {
      this.reports = (await api('/api/models')).services;
    } catch {
      return;
    }
    this.render();
  }

  render() {
    const now = Date.now();
    this.section.hidden = this.reports.length === 0;
    this.list.replaceChildren();
    for (const r of this.reports) {
      const box = el('div', { class: 'model', 'data-models': r.service });
      box.append(el('h3', {}, `${r.service} (${r.kind})`));
      const facts = [];
      const g = r.gguf;
      if (g) {
        facts.push([g.name ?? r.file?.split('/').pop(), g.architecture, g.parameterCount ? `${count(g.parameterCount)} params` : null, g.fileType, g.contextLength ? `ctx ${g.contextLength}` : null, bytes(g.fileSize)].filter(Boolean).join(' · '));
      } else if (r.ggufError) facts.push(r.ggufError);
      if (r.served?.length) facts.push(`serves ${r.served.join(', ')}`);
      if (r.router?.length) facts.push(`router: ${r.router.map((m) => `${m.id} (${m.status})`).join(', ')}`);
      for (const f of facts) box.append(el('div', {}, f));
      if (r.loaded) {
        if (r.loaded.length === 0) box.append(el('div', {}, 'nothing loaded'));
        const ul = el('ul', { 'aria-label': `models ${r.service} has loaded` });
        for (const m of r.loaded) {
          const unload = countdown(m.expiresAt, now);
          ul.append(el('li', { 'data-loaded': m.name }, `${m.name} loaded · ${bytes(m.sizeVramBytes)} VRAM${unload ? ` · unloads ${unload}` : ''}`));
        }
        if (r.loaded.length) box.append(ul);
      }
      if (r.installed) box.append(el('div', {}, `${r.installed.length} installed: ${r.installed.map((m) => m.name).join(', ') || '–'}`));
      if (r.error) {
        // A server that does not run cannot be asked (`alpha is stopped`): that is its state, not a failure, unless
        // the state is one (crashed, error). An error of a running server (its model list failed) is one.
        const status = this.statusOf(r.service);
        if (status && CALM.includes(status.state)) box.append(el('div', { class: 'calm' }, stateText(status)));
        else box.append(el('div', { class: 'error' }, r.error));
      }
      this.list.append(box);
    }
  }
}
