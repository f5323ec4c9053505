/** Live figures of an LLM server, shown by `status` and the TUI. Each kind fills what its server tells. */
export interface LlmStats {
  /** llama-server: false when started without --metrics (then the figures below are null). */
  metricsEnabled: boolean | null;
  /** Asked for its figures and got no answer in time: busy (every HTTP thread serving a client) or stuck. */
  unanswered?: boolean;
  /** Throughput: tokens per second over the last sampling interval, all requests together. */
  promptTokensPerSecond: number | null;
  generationTokensPerSecond: number | null;
  /** True where the server counts no tokens and the rate is estimated (ollama: its runners' writes, one per token). */
  generationEstimated?: boolean;
  /** Speed of one request as the server measures it (llama-server's predicted_tokens_seconds). */
  requestTokensPerSecond: number | null;
  requestsProcessing: number | null;
  requestsDeferred: number | null;
  slotsBusy: number | null;
  slotsTotal: number | null;
  /** vLLM: share of the KV cache in use, 0..1. */
  kvCacheUsage: number | null;
  /** llama-server --sleep-idle-seconds: the model is unloaded while idle (null: the build does not say). */
  sleeping: boolean | null;
  /** llama-server router mode: each model and its status (loaded, loading, unloaded, failed). */
  routerModels: Array<{ id: string; status: string }> | null;
  /** ollama: models loaded in memory now. */
  loadedModels: Array<{ name: string; sizeVramBytes: number; expiresAt: string | null }> | null;
  sampledAt: string;
}
