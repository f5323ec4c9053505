/** Stable error codes; each maps to one CLI exit code. */
export type ErrorCode =
  | 'CONFIG' // bad config file or value
  | 'USAGE' // bad command line
  | 'UNKNOWN_SERVICE'
  | 'FAILED' // an operation on a service failed
  | 'REFUSED' // refused on purpose (external service, busy port)
  | 'UNREACHABLE' // daemon not reachable
  | 'PROTOCOL'; // malformed message on the socket

export const EXIT_CODES: Record<ErrorCode, number> = {
  CONFIG: 2,
  USAGE: 2,
  UNKNOWN_SERVICE: 2,
  PROTOCOL: 2,
  FAILED: 1,
  REFUSED: 1,
  UNREACHABLE: 3,
};

export class LlamaTopError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'LlamaTopError';
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export function isLlamaTopError(error: unknown): error is LlamaTopError {
  return error instanceof LlamaTopError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
