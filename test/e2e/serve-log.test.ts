import { afterEach, describe, expect, it } from 'vitest';
import { makeServeStack, postJson } from '../helpers/serve-stack.js';
import { cleanupAll, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

const one = (model: string) => ({ model, prompt: 'hi', max_tokens: 1 });
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;

describe('the serve log', () => {
  // The fixture on both (it loads as slowly as asked, so the swap's begin and end are far apart).
  it('a swap is stamped when it began, before the load the request waited for; --timestamps adds no second stamp', async () => {
    const stack = await makeServeStack([
      { name: 'alpha', group: 'gpu0', fixtureOnly: true },
      { name: 'beta', group: 'gpu0', fixtureOnly: true, fakeArgs: ['--load-ms', '1500'] },
    ]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    expect((await postJson(`${stack.serveUrl}/v1/completions`, one('alpha'))).status).toBe(200);
    expect((await postJson(`${stack.serveUrl}/v1/completions`, one('beta'))).status).toBe(200); // swaps alpha out

    const lines = await waitFor(async () => {
      const out = (await stack.cli(['logs', 'serve'])).stdout.split('\n').filter(Boolean);
      return out.length === 3 ? out : null;
    }, 'two request lines and a swap line in logs serve');
    const time = (line: string) => Date.parse(line.split(' ')[0]!);
    const beta = lines.find((l) => / beta -> beta 200 /.test(l))!;
    const swap = lines.find((l) => / swap gpu0: alpha -> beta: /.test(l))!;
    expect(swap).toMatch(/drain \d+ms, stop \d+ms, (VRAM wait \d+ms|no GPU to wait for), load (\d+)ms$/); // the split is kept
    const load = Number(/load (\d+)ms$/.exec(swap)![1]);
    const waited = Number(/ waited (\d+)ms/.exec(beta)![1]);
    expect(load).toBeGreaterThanOrEqual(1500);
    // The swap began when beta's request was there, not once the load it waited for had ended.
    expect(time(swap)).toBeGreaterThanOrEqual(time(beta));
    expect(time(swap)).toBeLessThanOrEqual(time(beta) + waited - load);
    expect(time(swap)).toBeGreaterThan(time(lines.find((l) => / alpha -> alpha 200 /.test(l))!));

    // --timestamps: each serve line has its one time, first, as without it.
    const stamped = (await stack.cli(['logs', 'serve', '--timestamps'])).stdout.split('\n').filter(Boolean);
    expect(stamped).toEqual(lines);
    for (const l of stamped) expect(l.match(ISO), l).toHaveLength(1);
    // A service's log beside it still gets its stamp, in the same column.
    const both = (await stack.cli(['logs', 'beta', 'serve', '--timestamps', '-n', '2'])).stdout.split('\n').filter(Boolean);
    expect(both.filter((l) => l.startsWith('serve |')).every((l) => l.match(ISO)?.length === 1)).toBe(true);
    const betaLines = both.filter((l) => l.startsWith('beta  |'));
    expect(betaLines.length).toBeGreaterThan(0);
    for (const l of betaLines) expect(l).toMatch(/^beta {2}\| \d{4}-\d\d-\d\dT[\d:.]+Z /);
  });
});
