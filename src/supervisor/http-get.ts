import http from 'node:http';

export interface HttpResult {
  status: number;
  body: string;
}

/** A small GET with a hard timeout; rejects with a readable reason. Bodies are capped at 1 MiB. */
export function httpGet(host: string, port: number, path: string, timeoutMs: number): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path, timeout: timeoutMs, headers: { connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 1024 * 1024) chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs}ms`)));
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'ECONNREFUSED' ? `connection refused on ${host}:${port}` : error.message)),
    );
  });
}
