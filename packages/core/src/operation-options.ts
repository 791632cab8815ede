/** Options every store call accepts, in the manner of the Azure SDK. Replaces Go's `ctx`. */
export interface OperationOptions {
  /** Cancels the call. A cancelled call rejects with an `EphError` whose code is `Aborted`. */
  abortSignal?: AbortSignal;
}
