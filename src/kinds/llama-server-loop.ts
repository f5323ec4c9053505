import os from 'node:os';
import { getJson } from '../models/llm-stats.js';
import { clientsOf } from '../process/ports.js';
import { commandLine } from '../process/proc-io.js';
import { readProcStat } from '../process/proc-table.js';
import { clockTicksPerSecond } from '../process/tree-metrics.js';
import { httpGet, HttpTimeout, type HttpResult } from '../shared/http-get.js';
import { seconds } from './inference.js';
import type { ServerTarget } from './kind.js';

// What llama-server's main loop and its HTTP threads allow a watcher to ask, and what their silence means.

/**
 * llama-server computes /metrics (and /slots) in its main loop. A stuck loop never answers, and each question holds
 * one of its few HTTP threads for good, its client gone or not (max(np + 2, cores - 1) in build 4748), until not even
 * /health is answered. So llama-top keeps at most one /metrics question outstanding per server: the stats sampler and
 * the inference check wait on the same one, each as long as it cares to, and a new one is asked once it is answered.
 */
interface Question {
  since: number;
  answer: Promise<HttpResult>;
  /** When it was asked: the clients connected, and the server process's CPU time (clock ticks). */
  clientsThen: Set<string> | null;
  cpuThen: number | null;
}
const outstanding = new Map<string, Question>();
/** How long an unanswered question is kept before it is given up (and another may be asked). */
const QUESTION_LIMIT_MS = 10 * 60_000;

/** GET /metrics, waiting at most `waitMs` past when the outstanding question was asked; rejects with HttpTimeout. */
export function askMetrics({ host, port, pid }: ServerTarget, waitMs: number): Promise<HttpResult> {
  const key = `${host}:${port}`;
  const now = Date.now();
  let question = outstanding.get(key);
  if (!question) {
    const answer = httpGet(host, port, '/metrics', QUESTION_LIMIT_MS).finally(() => outstanding.delete(key));
    answer.catch(() => undefined); // whoever waits gets the failure; nobody waiting is no failure
    question = { since: now, answer, clientsThen: clientsOf(port), cpuThen: pid == null ? null : (readProcStat(pid)?.cpuTicks ?? null) };
    outstanding.set(key, question);
  }
  const left = Math.max(0, question.since + waitMs - now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new HttpTimeout(`GET /metrics: no answer within ${waitMs}ms`)), left);
    question.answer.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/**
 * How many HTTP threads it serves with: `--threads-http N`, else build 4748's max(np + 2, cores - 1), np from
 * `-np`/`--parallel` (default 1). Pure.
 */
export function httpThreads(argv: string[] | null, cores = os.availableParallelism()): number {
  const value = (...names: string[]) => {
    const at = argv?.findIndex((a) => names.includes(a)) ?? -1;
    const n = at >= 0 ? Number(argv![at + 1]) : NaN;
    return Number.isInteger(n) && n > 0 ? n : null;
  };
  return value('--threads-http') ?? Math.max((value('-np', '--parallel') ?? 1) + 2, cores - 1);
}

/**
 * Every HTTP thread taken by a client: then /health and /metrics wait for a request to end, however healthy the
 * server. As many clients connected as it has threads (llama-top's own questions not counted). Null when not so.
 */
export function crowded(target: ServerTarget): { clients: Set<string>; threads: number } | null {
  const clients = clientsOf(target.port);
  const threads = httpThreads(target.pid == null ? null : commandLine(target.pid));
  return clients && clients.size >= threads ? { clients, threads } : null;
}

/**
 * /metrics got no answer for `waitedMs`. /health answering means the HTTP threads are free and the main loop is
 * stuck. When a crowd of clients holds every thread, /health would only wait its turn: the server is alive if one of
 * their requests has ended since the question was asked, or it has computed since.
 */
export async function judgeUnansweredMetrics(target: ServerTarget, waitedMs: number): Promise<{ result: 'fail' | 'unknown'; reason: string }> {
  const question = outstanding.get(`${target.host}:${target.port}`);
  const secs = seconds(question ? Math.max(waitedMs, Date.now() - question.since) : waitedMs);
  const crowd = crowded(target);
  if (crowd) {
    // /health would only wait its turn. Signs of work since the question was asked: a client's request ended, or the
    // server computed (CPU; answering HTTP costs next to none). A loop stuck in a GPU call that spins looks busy.
    const then = question?.clientsThen ?? new Set<string>();
    const ended = [...then].filter((c) => !crowd.clients.has(c)).length;
    const cpuNow = target.pid == null ? null : (readProcStat(target.pid)?.cpuTicks ?? null);
    const elapsed = question ? (Date.now() - question.since) / 1000 : 0;
    const cpuShare = cpuNow !== null && question?.cpuThen != null && elapsed > 0 ? (cpuNow - question.cpuThen) / clockTicksPerSecond() / elapsed : null;
    const computed = cpuShare !== null && cpuShare >= COMPUTING_CPU_SHARE;
    if (ended === 0 && !computed && then.size >= crowd.threads)
      return {
        result: 'fail',
        reason: `inference stalled: no answer from its main loop in ${secs} s, every HTTP thread held by a client, none of their ${then.size} requests ended, and it computed nothing${cpuShare === null ? '' : ` (${Math.round(cpuShare * 1000) / 10} % CPU)`}`,
      };
    return { result: 'unknown', reason: `busy: every HTTP thread serving a client (${crowd.clients.size} connected, ${crowd.threads} threads), and it works` };
  }
  if ((await getJson(target.host, target.port, '/health', Math.min(HEALTH_BESIDE_METRICS_MS, waitedMs)).catch(() => null))?.status === 200)
    return { result: 'fail', reason: `inference stalled: GET /metrics got no answer in ${secs} s while /health answers (the server's main loop is stuck)` };
  return { result: 'unknown', reason: 'the server answers nothing (hung, or every HTTP thread busy): left to the health check' };
}

/** Below this share of a core, a server whose HTTP threads are all taken is not computing anything. */
const COMPUTING_CPU_SHARE = 0.05;

/** How long /health may take to show the HTTP threads still answer while /metrics does not. */
const HEALTH_BESIDE_METRICS_MS = 5000;
