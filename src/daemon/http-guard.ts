import type http from 'node:http';
import type net from 'node:net';

export interface GuardLimits {
  /** Connections that have not yet shown the token, across all peers. */
  pending: number;
  /** Of those, from one peer address. */
  perPeer: number;
  /** A connection must have shown the token (whole headers, the right one) within this of connecting. */
  headerDeadlineMs: number;
  /** Connections that showed the token: event streams and keep-alives of authorised clients. */
  authorised: number;
}

export const GUARD_LIMITS: GuardLimits = { pending: 32, perPeer: 16, headerDeadlineMs: 5000, authorised: 160 };

interface Pending {
  peer: string;
  timer: NodeJS.Timeout;
}

/**
 * Admission for the HTTP listener, in front of its routes: a connection is pending until a request on it shows the
 * token, and pending ones are bounded (in all and per peer) apart from authorised ones, so a slowloris (150
 * connections trickling header bytes) cannot take the places authorised clients need. Past a bound the oldest pending
 * connection goes, from the peer holding the most: a client that sends its request at once is never the oldest.
 * Each pending connection has a real deadline of its own (Node sweeps its headersTimeout only every 30 s).
 */
export class ConnectionGuard {
  /** In order of arrival: the first is the oldest. */
  private readonly pending = new Map<net.Socket, Pending>();
  private readonly authorised = new Set<net.Socket>();
  /** How many connections were closed for lack of room or time (for tests and the daemon log). */
  evicted = 0;
  expired = 0;

  constructor(private readonly limits: GuardLimits = GUARD_LIMITS) {}

  /** Watches every connection of `server`; the kernel-level cap leaves room for both kinds. */
  attach(server: http.Server): void {
    server.maxConnections = this.limits.pending + this.limits.authorised + this.limits.perPeer;
    // Node's own header deadline, for later requests on authorised keep-alive connections, checked every second.
    server.headersTimeout = this.limits.headerDeadlineMs * 2;
    server.requestTimeout = 30_000;
    (server as http.Server & { connectionsCheckingInterval?: number }).connectionsCheckingInterval = 1000;
    server.on('connection', (socket: net.Socket) => this.admit(socket));
  }

  /** The request on `socket` showed the token: its connection is no longer bounded as a stranger's. */
  authorise(socket: net.Socket): void {
    const entry = this.pending.get(socket);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(socket);
    if (this.authorised.size >= this.limits.authorised) return void socket.destroy();
    this.authorised.add(socket);
  }

  get counts(): { pending: number; authorised: number } {
    return { pending: this.pending.size, authorised: this.authorised.size };
  }

  private admit(socket: net.Socket): void {
    const peer = socket.remoteAddress ?? '?';
    const fromPeer = [...this.pending.values()].filter((p) => p.peer === peer).length;
    if (fromPeer >= this.limits.perPeer) this.evictOldest(peer);
    else if (this.pending.size >= this.limits.pending) this.evictOldest(this.busiestPeer());
    const timer = setTimeout(() => {
      this.expired++;
      socket.destroy();
    }, this.limits.headerDeadlineMs);
    timer.unref();
    this.pending.set(socket, { peer, timer });
    socket.once('close', () => {
      const entry = this.pending.get(socket);
      if (entry) clearTimeout(entry.timer);
      this.pending.delete(socket);
      this.authorised.delete(socket);
    });
  }

  private busiestPeer(): string {
    const counts = new Map<string, number>();
    for (const { peer } of this.pending.values()) counts.set(peer, (counts.get(peer) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  }

  private evictOldest(peer: string): void {
    for (const [socket, entry] of this.pending) {
      if (entry.peer !== peer) continue;
      clearTimeout(entry.timer);
      this.pending.delete(socket);
      this.evicted++;
      socket.destroy();
      return;
    }
  }
}
