/** Where `init`'s serve: block listens: the first port from 8080 on that no service of the config uses and nobody holds. */

export const SERVE_PORT = 8080;

export interface ServePortChoice {
  port: number;
  /** Each port passed over and why ("services.llama.port", "in use by pid 123 (ollama)"), in order. */
  passed: Array<{ port: number; why: string }>;
}

/**
 * The first port from `from` on (at most `tries`) that is none of the config's (`configPorts`: port → who) and that
 * `heldBy` says nobody holds (null: free; else who holds it); `from` itself when none is found. Pure but for `heldBy`.
 */
export async function chooseServePort(configPorts: Map<number, string>, heldBy: (port: number) => Promise<string | null>, from = SERVE_PORT, tries = 50): Promise<ServePortChoice> {
  const passed: ServePortChoice['passed'] = [];
  for (let port = from; port < from + tries && port <= 65_535; port++) {
    const own = configPorts.get(port);
    const why = own ?? (await heldBy(port));
    if (why === null) return { port, passed };
    passed.push({ port, why });
  }
  return { port: from, passed };
}

/** What init says when the serve: block does not listen on 8080, or null. Pure. */
export function servePortNote(choice: ServePortChoice): string | null {
  if (choice.passed.length === 0) return null;
  const first = choice.passed[0]!;
  const reasons = choice.passed.length === 1 ? first.why : choice.passed.map((p) => `${p.port}: ${p.why}`).join('; ');
  if (choice.port === first.port) return `serve: no free port found from ${first.port} on (${reasons}): set serve.listen to a free one`;
  return `serve: ${first.port} is taken (${reasons}), so the serve: block listens on 127.0.0.1:${choice.port}`;
}
