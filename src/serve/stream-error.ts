/**
 * The last words of a streamed answer cut after it began, in the stream's own format, the way the servers signal
 * a mid-stream error: an SSE event `data: {"error": {message, type, code}}` (OpenAI, llama-server) or an NDJSON line
 * `{"error": "..."}` (ollama). Null for an answer that is no stream (the client only sees it end short). Pure.
 */
export function streamErrorTail(contentType: string | undefined, error: { message: string; type: string; code: string }, lastBytes: string): string | null {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'text/event-stream') {
    // An event cut in its middle is ended first, so the error is an event of its own.
    const separator = lastBytes === '' || lastBytes.endsWith('\n\n') ? '' : lastBytes.endsWith('\n') ? '\n' : '\n\n';
    return `${separator}data: ${JSON.stringify({ error: error })}\n\n`;
  }
  if (type === 'application/x-ndjson' || type === 'application/ndjson') {
    const separator = lastBytes === '' || lastBytes.endsWith('\n') ? '' : '\n';
    return `${separator}${JSON.stringify({ error: error.message })}\n`;
  }
  return null;
}
