/**
 * `import { useLlamaTop } from 'llama-top/react'`: the stack's services in a React component, live over the
 * daemon's Server-Sent Events (/api/events), reconnecting by itself. It needs no DOM: only an EventSource (the
 * browser's, or one given in `options`), so it also runs in React Native or tests.
 */
import { useEffect, useState } from 'react';
import type { ServiceStatus, StateChangeEvent } from '../protocol/messages.js';

/** The part of EventSource the hook uses. */
export interface EventSourceLike {
  readyState: number;
  addEventListener(type: string, listener: (event: { data: string }) => void): void;
  onerror: ((event: unknown) => void) | null;
  onopen: ((event: unknown) => void) | null;
  close(): void;
}
export type EventSourceConstructor = new (url: string) => EventSourceLike;

export interface LlamaTopState {
  services: ServiceStatus[];
  /** True between the first snapshot and a lost connection. */
  connected: boolean;
  /** The last state change seen. */
  lastEvent: StateChangeEvent | null;
  error: string | null;
}

/** The events URL: `base` is the listener's URL (http://127.0.0.1:7878/); EventSource cannot send headers, so the token rides along. Pure. */
export function eventsUrl(base: string, token: string): string {
  const url = new URL('api/events', base.endsWith('/') ? base : `${base}/`);
  url.searchParams.set('token', token);
  return url.toString();
}

/** The stack as `snapshot` and `state` events describe it. Pure. */
export function applyEvent(services: ServiceStatus[], type: 'snapshot' | 'state', data: unknown): ServiceStatus[] {
  if (type === 'snapshot') return (data as { services: ServiceStatus[] }).services;
  const event = data as StateChangeEvent;
  const known = services.some((s) => s.name === event.service);
  return known ? services.map((s) => (s.name === event.service ? event.status : s)) : [...services, event.status];
}

export function useLlamaTop(url: string, token: string, options: { EventSource?: EventSourceConstructor; retryMs?: number } = {}): LlamaTopState {
  const [state, setState] = useState<LlamaTopState>({ services: [], connected: false, lastEvent: null, error: null });
  useEffect(() => {
    const Source = options.EventSource ?? (globalThis as unknown as { EventSource?: EventSourceConstructor }).EventSource;
    if (!Source) {
      setState((s) => ({ ...s, error: 'no EventSource here: pass one in options.EventSource' }));
      return;
    }
    let source: EventSourceLike | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let disposed = false;
    const open = () => {
      source = new Source(eventsUrl(url, token));
      source.addEventListener('snapshot', (e) => setState((s) => ({ ...s, services: applyEvent(s.services, 'snapshot', JSON.parse(e.data)), connected: true, error: null })));
      source.addEventListener('state', (e) => {
        const data = JSON.parse(e.data) as StateChangeEvent;
        setState((s) => ({ ...s, services: applyEvent(s.services, 'state', data), lastEvent: data }));
      });
      source.onerror = () => {
        setState((s) => ({ ...s, connected: false, error: 'the connection to llama-top was lost; reconnecting' }));
        // EventSource retries by itself unless the server refused (401, 503): then it is closed, and we retry.
        if (source && source.readyState === 2 && !disposed && !retry) {
          source.close();
          retry = setTimeout(() => {
            retry = null;
            if (!disposed) open();
          }, options.retryMs ?? 2000);
        }
      };
    };
    open();
    return () => {
      disposed = true;
      if (retry) clearTimeout(retry);
      source?.close();
    };
  }, [url, token]);
  return state;
}
