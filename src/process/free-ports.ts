import net from 'node:net';

function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const actual = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(actual));
    });
  });
}

/** `count` ports free on loopback now: the preferred ones where free, else ephemeral ones. */
export async function findFreePorts(count: number, preferred: number[] = []): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    let port = preferred[i] !== undefined ? await tryListen(preferred[i]!) : null;
    while (port === null || ports.includes(port)) port = await tryListen(0);
    ports.push(port);
  }
  return ports;
}
