import fs from 'node:fs';
import net from 'node:net';
import { errorMessage, isLlamaTopError } from '../protocol/errors.js';
import { encode, NdjsonDecoder } from '../protocol/codec.js';
import type { Push, Request, Response } from '../protocol/messages.js';
import { parseRequest } from './request-schema.js';

export type RequestHandler = (request: Request, connection: Connection) => Promise<unknown>;

const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

export class Connection {
  subscribed = false;

  constructor(readonly socket: net.Socket) {}

  send(message: Response | Push): void {
    if (this.socket.destroyed) return;
    // A client that stops reading is dropped rather than allowed to grow our memory or stall the others.
    if (this.socket.writableLength > MAX_QUEUED_BYTES) {
      this.socket.destroy();
      return;
    }
    this.socket.write(encode(message));
  }
}

/** The control socket: owner-only (0600 in a 0700 directory), NDJSON requests in, responses and pushes out. */
export class ControlServer {
  private readonly server: net.Server;
  readonly connections = new Set<Connection>();

  constructor(private readonly handle: RequestHandler) {
    this.server = net.createServer((socket) => this.accept(socket));
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

  broadcast(push: Push): void {
    for (const c of this.connections) if (c.subscribed) c.send(push);
  }

  close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const connection = new Connection(socket);
    this.connections.add(connection);
    const decoder = new NdjsonDecoder();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      for (const decoded of decoder.push(chunk)) {
        if (!decoded.ok) {
          connection.send({ id: null, ok: false, code: 'PROTOCOL', message: decoded.error });
          continue;
        }
        const parsed = parseRequest(decoded.value);
        if (!parsed.ok) {
          connection.send({ id: parsed.id, ok: false, code: 'PROTOCOL', message: parsed.error });
          continue;
        }
        void this.answer(parsed.request, connection);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.connections.delete(connection));
  }

  private async answer(request: Request, connection: Connection): Promise<void> {
    try {
      const result = await this.handle(request, connection);
      connection.send({ id: request.id, ok: true, result: result ?? null });
    } catch (error) {
      connection.send({ id: request.id, ok: false, code: isLlamaTopError(error) ? error.code : 'FAILED', message: errorMessage(error) });
    }
  }
}
