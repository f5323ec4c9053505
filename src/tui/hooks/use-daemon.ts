import { useEffect, useRef, type Dispatch } from 'react';
import type { DaemonApi } from '../../protocol/daemon-api.js';
import { errorMessage } from '../../protocol/errors.js';
import type { UiAction } from '../state.js';

export interface UseDaemonOptions {
  connect: () => Promise<DaemonApi>;
  dispatch: Dispatch<UiAction>;
  /** Runs once, after the first connection (the TUI starts the autostart services then). */
  onFirstConnect?: (api: DaemonApi) => void;
  pollMs?: number;
  reconnectMs?: number;
  lostText?: string;
}

/** Keeps a connection to the daemon: snapshot then events, CPU/memory every 2 s, and reconnects when it goes. */
export function useDaemon({ connect, dispatch, onFirstConnect, pollMs = 2000, reconnectMs = 1000, lostText = 'lost the daemon: starting a new one (the services keep running)…' }: UseDaemonOptions): React.RefObject<DaemonApi | null> {
  const apiRef = useRef<DaemonApi | null>(null);
  useEffect(() => {
    let disposed = false;
    let pollTimer: NodeJS.Timeout | undefined;
    let retryTimer: NodeJS.Timeout | undefined;
    let first = true;
    let polls = 0;
    const poll = async (api: DaemonApi) => {
      try {
        // The services' figures every poll; the daemon's own (pid, uptime in minutes, backend) every fifth.
        const [services, info] = await Promise.all([api.status(), polls++ % 5 === 0 ? api.daemonInfo() : null]);
        if (disposed || apiRef.current !== api) return;
        dispatch({ type: 'status', services });
        if (info) dispatch({ type: 'daemon', daemon: info });
      } catch {
        // the disconnect handler takes over
      }
      if (!disposed && apiRef.current === api) pollTimer = setTimeout(() => void poll(api), pollMs);
    };
    const open = async () => {
      try {
        const api = await connect();
        if (disposed) return api.close();
        apiRef.current = api;
        api.onDisconnect(() => {
          if (disposed || apiRef.current !== api) return;
          apiRef.current = null;
          clearTimeout(pollTimer);
          dispatch({ type: 'connection', connection: 'lost' });
          dispatch({ type: 'toast', toast: { level: 'error', text: lostText } });
          retryTimer = setTimeout(() => void open(), reconnectMs);
        });
        await api.subscribe((push) => {
          if (push.push === 'snapshot') dispatch({ type: 'snapshot', services: push.services });
          else if (push.push === 'event') dispatch({ type: 'event', event: push.event });
        });
        polls = 0;
        dispatch({ type: 'connection', connection: 'connected' });
        if (!first) dispatch({ type: 'toast', toast: { level: 'ok', text: 'reconnected to the daemon' } });
        if (first) onFirstConnect?.(api);
        first = false;
        void poll(api);
      } catch (error) {
        if (disposed) return;
        dispatch({ type: 'connection', connection: 'lost' });
        dispatch({ type: 'toast', toast: { level: 'error', text: `cannot reach the daemon: ${errorMessage(error)} (retrying)` } });
        retryTimer = setTimeout(() => void open(), reconnectMs * 2);
      }
    };
    void open();
    return () => {
      disposed = true;
      clearTimeout(pollTimer);
      clearTimeout(retryTimer);
      apiRef.current?.close();
      apiRef.current = null;
    };
  }, []);
  return apiRef;
}
