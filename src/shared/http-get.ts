import http from 'node:http';

export interface HttpResult {
  status: number;
  body: string;
}

/** A request that got no answer in time (as opposed to one refused or answered with an error). */
export class HttpTimeout extends Error {}

/** A small request with a hard timeout; rejects with a readable reason. Bodies are capped at 1 MiB. */
function request(method: 'GET' | 'POST', host: string, port: number, path: string, timeoutMs: number, body?: string): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { connection: 'close' };
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    const req = http.request({ method, host, port, path, timeout: timeoutMs, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 1024 * 1024) chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new HttpTimeout(`no answer within ${timeoutMs}ms`)));
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(error instanceof HttpTimeout ? error : new Error(error.code === 'ECONNREFUSED' ? `connection refused on ${host}:${port}` : error.message)),
    );
    req.end(body);
  });
}

export const httpGet = (host: string, port: number, path: string, timeoutMs: number) => request('GET', host, port, path, timeoutMs);
export const httpPost = (host: string, port: number, path: string, body: unknown, timeoutMs: number) => request('POST', host, port, path, timeoutMs, JSON.stringify(body));
