import fs from 'node:fs';
import net from 'node:net';
import { errorMessage, isLlamaTopError } from '../protocol/errors.js';
import { encode, NdjsonDecoder } from '../protocol/codec.js';
import { PROTOCOL_VERSION, type Push, type Request, type Response } from '../protocol/messages.js';
import { VERSION } from '../version.js';
import { QueueBudget, type Queued } from './queue-budget.js';
import { parseRequest, type RequestType, type Result } from '../protocol/requests.js';

export type RequestHandler = (request: Request, connection: Subscriber) => Promise<Result<RequestType>>;

/** Whatever the daemon answers and pushes to: a socket connection, or an HTTP client's event stream. */
export interface Subscriber {
  subscribed: boolean;
  /** Asked for the history's `sample` pushes (the page's charts); other subscribers are not sent them. */
  samples?: boolean;
  inFlight: number;
  /** Run when it goes away (e.g. stopping the log follows it asked for). */
  readonly onClose: Array<() => void>;
  send(message: Response | Push): void;
  close(): void;
}

/** More connections than this are refused at once: idle ones can no longer eat every file descriptor. */
export const MAX_CONNECTIONS = 256;
/** A message begun and not finished within this is dropped with its connection (a slowloris). */
export const PARTIAL_MESSAGE_DEADLINE_MS = 5000;
/** A connection that neither subscribed nor awaits an answer is closed after this much silence. */
const idleMs = () => Number(process.env.LLAMA_TOP_CONNECTION_IDLE_MS) || 30_000;

export class Connection implements Subscriber, Queued {
  subscribed = false;
  inFlight = 0;
  /** Run when the connection ends (e.g. stopping the log follows it asked for). */
  readonly onClose: Array<() => void> = [];

  constructor(
    readonly socket: net.Socket,
    private readonly budget: QueueBudget = new QueueBudget(),
  ) {}

  send(message: Response | Push): void {
    if (this.socket.destroyed) return;
    if (!this.budget.admit(this, 0)) return; // already over: dropped before anything more is encoded for it
    // Bytes, not a string: what waits for a slow reader is then outside the JS heap, and freed with the connection.
    const data = Buffer.from(encode(message), 'utf8');
    // A client that stops reading is dropped rather than allowed to grow our memory or stall the others.
    if (!this.budget.admit(this, data.length)) return;
    this.socket.write(data);
  }

  queuedBytes(): number {
    return this.socket.writableLength;
  }

  drop(): void {
    this.socket.destroy();
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The control socket: owner-only (0600 in a 0700 directory), NDJSON requests in, responses and pushes out. */
export class ControlServer {
  private readonly server: net.Server;
  readonly connections = new Set<Subscriber>();
  /** Told when a client that does not read is dropped (the daemon logs it). */
  onDrop: (line: string) => void = () => undefined;
  private readonly budget = new QueueBudget(undefined, undefined, (unread, reason) =>
    this.onDrop(`dropped a client that does not read: ${(unread / 1024 / 1024).toFixed(1)} MiB unread, ${reason}`),
  );

  constructor(private readonly handle: RequestHandler) {
    this.server = net.createServer((socket) => this.accept(socket));
    this.server.maxConnections = MAX_CONNECTIONS;
  }

  listen(socketPath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      const previousMask = process.umask(0o177);
      this.server.listen(socketPath, () => {
        process.umask(previousMask);
        fs.chmodSync(socketPath, 0o600);
        resolve();
      });
    });
  }

  /** Another kind of client (an HTTP event stream) that gets the same pushes and keeps the daemon busy. */
  attach(subscriber: Subscriber): void {
    this.connections.add(subscriber);
  }

  detach(subscriber: Subscriber): void {
    this.connections.delete(subscriber);
    for (const done of subscriber.onClose.splice(0)) done();
  }

  broadcast(push: Push): void {
    const samples = push.push === 'sample';
    for (const c of this.connections) if (c.subscribed && (!samples || c.samples)) c.send(push);
  }

  close(): Promise<void> {
    for (const c of this.connections) c.close();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const connection = new Connection(socket, this.budget);
    this.connections.add(connection);
    this.budget.add(connection);
    connection.send({ push: 'hello', protocol: PROTOCOL_VERSION, version: VERSION, pid: process.pid });
    const decoder = new NdjsonDecoder();
    let partialTimer: NodeJS.Timeout | null = null;
    socket.setTimeout(idleMs(), () => {
      if (!connection.subscribed && connection.inFlight === 0) socket.destroy();
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const decodedAll = decoder.push(chunk);
      if (partialTimer) clearTimeout(partialTimer);
      partialTimer = decoder.hasPartial() ? setTimeout(() => socket.destroy(), PARTIAL_MESSAGE_DEADLINE_MS) : null;
      for (const decoded of decodedAll) {
        if (!decoded.ok) {
          connection.send({ id: null, ok: false, code: 'PROTOCOL', message: decoded.error });
          continue;
        }
        const parsed = safeParseRequest(decoded.value);
        if (!parsed.ok) {
          connection.send({ id: parsed.id, ok: false, code: 'PROTOCOL', message: parsed.error });
          continue;
        }
        void this.answer(parsed.request, connection);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (partialTimer) clearTimeout(partialTimer);
      this.connections.delete(connection);
      this.budget.remove(connection);
      for (const done of connection.onClose.splice(0)) done();
    });
  }

  private async answer(request: Request, connection: Connection): Promise<void> {
    connection.inFlight++;
    try {
      const result = await this.handle(request, connection);
      connection.send({ id: request.id, ok: true, result: result ?? null });
    } catch (error) {
      connection.send({ id: request.id, ok: false, code: isLlamaTopError(error) ? error.code : 'FAILED', message: errorMessage(error) });
    } finally {
      connection.inFlight--;
    }
  }
}

/** parseRequest, with any failure on hostile input (say, a 100,000-deep array) turned into an error answer. */
function safeParseRequest(value: unknown): ReturnType<typeof parseRequest> {
  try {
    return parseRequest(value);
  } catch (error) {
    return { ok: false, id: null, error: `malformed request: ${errorMessage(error)}` };
  }
}
