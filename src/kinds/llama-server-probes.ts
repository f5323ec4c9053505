/**
 * llama-top's own requests in llama-server's log. Build 4748 logs every request as
 * `srv  log_server_r: request: GET /health 127.0.0.1 200` (no client port, no User-Agent), so ours are told by what
 * only llama-top asks: GETs of the health and figures endpoints. A /metrics or /slots request is a task of the
 * server's main loop, which then logs `srv  update_slots: all slots are idle` just before the request's own line:
 * that line goes with it. A user's completions, chats and embeddings are never folded.
 */
const PROBE = /\blog_server_r: request: GET \/(health|props|models|v1\/models|metrics|slots)(\?\S*)? \S+ \d{3}\s*$/;
const LOOP_TASK = /\blog_server_r: request: GET \/(metrics|slots)\b/;
const IDLE = /\bupdate_slots: all slots are idle\s*$/;

/** Which of `lines` are llama-top's own requests (and the idle line a figures request made the main loop print). Pure. */
export function ownRequestLines(lines: string[]): boolean[] {
  const own = lines.map((line) => PROBE.test(line));
  for (let i = 0; i + 1 < lines.length; i++) if (IDLE.test(lines[i]!) && LOOP_TASK.test(lines[i + 1]!) && own[i + 1]) own[i] = true;
  return own;
}
