import { EphError } from "./errors.js";
import type { Logger } from "./logger.js";
import { silentLogger } from "./logger.js";

type LogMethod = (...args: unknown[]) => void;

/** Console-style names that stand in for a missing method (`console` has `warn` and `debug`). */
const fallbacks: Record<keyof Logger, readonly string[]> = {
  error: ["error"],
  warning: ["warning", "warn"],
  info: ["info", "log"],
  verbose: ["verbose", "debug"],
};

/**
 * The logger a component writes to, checked once when it is configured: `undefined` is silent, an
 * object supplies what it has (`console` works: `warn` and `debug` stand in for `warning` and
 * `verbose`), and a method that is missing or throws drops the message. A log line must never turn a
 * `LeaseLost` into a `TypeError`. Anything but an object is `InvalidOption` naming `option`.
 */
export function checkedLogger(logger: unknown, option: string): Logger {
  if (logger === undefined) return silentLogger;
  if (typeof logger !== "object" || logger === null) {
    throw new EphError("InvalidOption", `${option} must be a logger object (such as console), got ${String(logger)}.`);
  }
  const source = logger as Record<string, unknown>;
  const pick = (level: keyof Logger): LogMethod => {
    const name = fallbacks[level].find((candidate) => typeof source[candidate] === "function");
    if (name === undefined) return () => {};
    const method = source[name] as LogMethod;
    return (...args) => {
      try {
        method.apply(logger, args);
      } catch {
        // A failing logger loses the line, never the operation.
      }
    };
  };
  return { error: pick("error"), warning: pick("warning"), info: pick("info"), verbose: pick("verbose") };
}
