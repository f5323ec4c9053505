import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { chooseServePort, servePortNote } from '../../src/commands/init-serve-port.js';
import { describePortHolder, findPortHolder } from '../../src/process/ports.js';

const held = async (port: number) => {
  const holder = await findPortHolder(port);
  return holder ? describePortHolder(port, holder) : null;
};

describe("init's serve port", () => {
  it("passes over a service's port and one held now; says so", async () => {
    const choice = await chooseServePort(new Map([[8080, 'services.llama.port']]), async (p) => (p === 8081 ? 'in use by pid 42 (ollama)' : null));
    expect(choice).toEqual({ port: 8082, passed: [{ port: 8080, why: 'services.llama.port' }, { port: 8081, why: 'in use by pid 42 (ollama)' }] });
    expect(servePortNote(choice)).toBe('serve: 8080 is taken (8080: services.llama.port; 8081: in use by pid 42 (ollama)), so the serve: block listens on 127.0.0.1:8082');
    expect(servePortNote({ port: 8081, passed: [{ port: 8080, why: 'services.llama.port' }] })).toBe('serve: 8080 is taken (services.llama.port), so the serve: block listens on 127.0.0.1:8081');
    expect(servePortNote({ port: 8080, passed: [] })).toBeNull();
  });

  it('a port really held by a process on this machine is passed over, naming the holder', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const choice = await chooseServePort(new Map(), held, port, 20);
      expect(choice.port).toBeGreaterThan(port);
      expect(choice.passed[0]!.port).toBe(port);
      expect(choice.passed[0]!.why).toMatch(new RegExp(`^port ${port} is in use by pid ${process.pid} \\(`));
    } finally {
      server.close();
    }
  });
});
