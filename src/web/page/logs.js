// The log viewer: one service's log, followed live (SSE) or not, searched with a match count, llama-top's own
// probes (health checks, figures) folded away by the daemon as the TUI folds them.

const $ = (id) => document.getElementById(id);
/** Lines kept in the viewer: the newest. */
export const MAX_LINES = 2000;
const BACKLOG = 300;

export class LogViewer {
  constructor() {
    this.select = $('log-service');
    this.follow = $('log-follow');
    this.fold = $('log-fold');
    this.search = $('log-search');
    this.matches = $('log-matches');
    this.box = $('log-lines');
    /** @type {{time: string|null, line: string, gap?: number}[]} */
    this.lines = [];
    this.service = null;
    this.source = null;
    this.current = -1;
    this.select.addEventListener('change', () => this.open(this.select.value));
    // Follow on: the last lines again, then every new one; off: the stream stops and the lines stay to be read.
    this.follow.addEventListener('change', () => (this.follow.checked ? this.open(this.service) : this.stop()));
    this.fold.addEventListener('change', () => this.open(this.service));
    this.search.addEventListener('input', () => {
      this.current = -1;
      this.draw();
    });
    this.search.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      this.step(e.shiftKey ? -1 : 1);
    });
  }

  /** The services to choose from (kept in order; the first is opened when none is). */
  setServices(names) {
    const have = [...this.select.options].map((o) => o.value);
    if (have.join('\n') !== names.join('\n')) {
      this.select.replaceChildren(...names.map((n) => new Option(n, n)));
      if (this.service && names.includes(this.service)) this.select.value = this.service;
    }
    if ((!this.service || !names.includes(this.service)) && names.length) this.open(names[0]);
  }

  /** Shows `name`'s log: the last lines, then (follow) every new one as it is written. */
  open(name) {
    if (!name) return;
    this.source?.close();
    this.source = null;
    this.service = name;
    this.select.value = name;
    this.lines = [];
    this.draw();
    const query = `lines=${BACKLOG}&probes=${this.fold.checked ? 0 : 1}`;
    const base = `/api/services/${encodeURIComponent(name)}/logs`;
    if (this.follow.checked) {
      const source = new EventSource(`${base}?follow=1&${query}`);
      this.source = source;
      // A reconnect (the daemon restarted, the network dropped) sends the last lines again: they replace the old ones.
      let opened = false;
      source.onopen = () => {
        if (opened) this.lines = [];
        opened = true;
      };
      source.addEventListener('log', (e) => this.add(JSON.parse(e.data).lines));
      source.addEventListener('log-gap', (e) => this.add([{ time: null, line: '', gap: JSON.parse(e.data).chunks }]));
      source.onerror = () => {
        if (source.readyState === EventSource.CLOSED && this.source === source) this.add([{ time: null, line: '', gap: -1 }]);
      };
    } else {
      fetch(`${base}?${query}`)
        .then((r) => r.json())
        .then((body) => this.service === name && this.add(body.lines ?? []))
        .catch((e) => this.add([{ time: null, line: `cannot read the log: ${e.message}` }]));
    }
  }

  stop() {
    this.source?.close();
    this.source = null;
  }

  add(lines) {
    const atBottom = this.box.scrollHeight - this.box.scrollTop - this.box.clientHeight < 24;
    this.lines.push(...lines);
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
    this.draw();
    if (this.follow.checked && (atBottom || this.lines.length === lines.length)) this.box.scrollTop = this.box.scrollHeight;
  }

  /** Renders the lines, the search's matches marked, and says how many there are. */
  draw() {
    const query = this.search.value;
    const lower = query.toLowerCase();
    let total = 0;
    const frag = document.createDocumentFragment();
    for (const l of this.lines) {
      const row = document.createElement('span');
      row.className = 'line';
      if (l.gap !== undefined) {
        row.classList.add('gap');
        row.textContent = l.gap < 0 ? '— the stream was closed —' : `— ${l.gap} chunk(s) rotated away before they could be read —`;
        frag.append(row);
        continue;
      }
      if (l.time) {
        const t = document.createElement('time');
        t.dateTime = l.time;
        t.textContent = l.time.slice(11, 19);
        row.append(t);
      }
      if (!lower) row.append(l.line);
      else {
        const text = l.line;
        const hay = text.toLowerCase();
        let at = 0;
        for (let i = hay.indexOf(lower); i >= 0; i = hay.indexOf(lower, i + lower.length)) {
          row.append(text.slice(at, i));
          const m = document.createElement('mark');
          m.textContent = text.slice(i, i + lower.length);
          row.append(m);
          at = i + lower.length;
          total++;
        }
        row.append(text.slice(at));
      }
      frag.append(row);
    }
    this.box.replaceChildren(frag);
    if (!this.lines.length) this.box.textContent = this.service ? '(no log lines yet)' : '';
    this.matches.textContent = !query ? '' : total === 0 ? 'no match' : this.current >= 0 ? `match ${this.current + 1}/${total}` : `${total} match${total === 1 ? '' : 'es'}`;
    this.matches.dataset.count = query ? String(total) : '';
  }

  /** Enter / Shift+Enter in the search box: the next / previous match, scrolled into view. */
  step(direction) {
    const marks = this.box.querySelectorAll('mark');
    if (!marks.length) return;
    this.current = (this.current + direction + marks.length) % marks.length;
    this.draw();
    const mark = this.box.querySelectorAll('mark')[this.current];
    mark.scrollIntoView({ block: 'center' });
    mark.style.outline = '2px solid var(--focus)';
  }
}
