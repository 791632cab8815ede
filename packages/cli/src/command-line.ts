import { parseArgs } from "node:util";
import { CliError } from "./cli-error.js";
import { ExitCode } from "./exit-codes.js";

/** The flags one command accepts, in `node:util` `parseArgs` form. */
export type FlagSpec = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

/** Parsed flags: strings, booleans or lists of strings. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** Parses `argv` against `spec`; any mistake is a usage error (exit code 2) pointing at `--help`. */
export function parseFlags(
  argv: readonly string[],
  spec: FlagSpec,
  command: string,
): { values: FlagValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...spec, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as FlagValues, positionals };
  } catch (error) {
    // parseArgs quotes the offending argument; a mistyped flag may be followed by a secret, so only
    // the flag-like part is kept.
    const message = error instanceof Error ? error.message : String(error);
    const flag = /'(-{1,2}[A-Za-z][A-Za-z0-9-]*)/.exec(message)?.[1];
    const kind = /requires|argument missing/i.test(message)
      ? `${flag ?? "a flag"} needs a value`
      : /ambiguous/i.test(message)
        ? // `--timeout -1`: parseArgs takes "-1" for a flag. Say which flag, and how to pass such a value.
          `${flag ?? "a flag"} needs a value (one that starts with "-" is written ${flag ?? "--flag"}=-VALUE)`
        : /Unknown option/i.test(message)
          ? `unknown flag ${flag ?? ""}`.trim()
          : /does not take an argument/i.test(message)
            ? `${flag ?? "a flag"} takes no value`
            : "the command line could not be parsed";
    throw new CliError(ExitCode.Usage, `eph ${command}: ${kind}. See "eph ${command} --help".`);
  }
}

/** A string flag's value, or undefined. */
export function stringFlag(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

/** A repeatable string flag's values (empty when absent). */
export function listFlag(values: FlagValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}

/** A number flag given in seconds, as milliseconds; `fallback` when absent. Usage error when not a positive number. */
export function secondsFlag(values: FlagValues, name: string, command: string, fallback: number): number {
  const text = stringFlag(values, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(n) || n <= 0) {
    throw new CliError(ExitCode.Usage, `eph ${command}: --${name} needs a positive number of seconds.`);
  }
  return Math.round(n * 1000);
}

/** A non-negative integer flag; `fallback` when absent. */
export function integerFlag(values: FlagValues, name: string, command: string, fallback: number, min = 0): number {
  const text = stringFlag(values, name);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw new CliError(ExitCode.Usage, `eph ${command}: --${name} needs an integer of at least ${min}.`);
  }
  return Number(text);
}

/** Refuses positional arguments a command does not take. */
export function noPositionals(positionals: readonly string[], command: string): void {
  if (positionals.length > 0) {
    throw new CliError(ExitCode.Usage, `eph ${command}: unexpected argument. See "eph ${command} --help".`);
  }
}
