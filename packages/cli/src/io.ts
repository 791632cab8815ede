/** Something text can be written to: `process.stdout` or a test's collector. */
export interface OutputStream {
  write(text: string): unknown;
  /** True when this is a terminal (then the demo and `status --watch` redraw in place). */
  readonly isTTY?: boolean;
  /** Terminal width, when known. */
  readonly columns?: number;
  /** Terminal height, when known: a redrawn view must fit, or it scrolls and smears. */
  readonly rows?: number;
}

/** A source of answers to confirmation prompts: `process.stdin` or a test's stream. */
export interface InputStream extends NodeJS.ReadableStream {
  /** True when this is a terminal: only then may `eph` ask a question. */
  readonly isTTY?: boolean;
}

/** Everything a command touches outside itself, so it can run in-process in tests. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: InputStream;
  /** Environment variables (connection strings may come from here). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Fires on SIGINT/SIGTERM: long-running commands stop cleanly. */
  readonly signal: AbortSignal;
}
