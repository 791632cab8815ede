import net from "node:net";
import { CliError } from "./cli-error.js";
import type { ConnectionSettings } from "./connection-settings.js";
import { ExitCode } from "./exit-codes.js";

/** The protocol header an AMQP 1.0 peer opens with (and answers with, when it speaks plain AMQP). */
const amqpHeader = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0x00, 0x01, 0x00, 0x00]);

/** What a plain TCP look at an endpoint found. */
export type ProbeResult = "plain-amqp" | "refused" | "other";

/**
 * Connects to `host:port` in plain TCP and sends the AMQP header: `plain-amqp` when the peer answers
 * with an AMQP header (an emulator), `refused` when nothing listens, `other` for anything else (a TLS
 * server, silence until `timeoutMs`, an unreachable host).
 */
export function probeEndpoint(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let received = Buffer.alloc(0);
    const done = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done("other"), timeoutMs);
    socket.on("connect", () => socket.write(amqpHeader));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4)
        done(received.subarray(0, 4).equals(amqpHeader.subarray(0, 4)) ? "plain-amqp" : "other");
    });
    socket.on("error", (error: NodeJS.ErrnoException) => done(error.code === "ECONNREFUSED" ? "refused" : "other"));
    socket.on("close", () => done("other"));
  });
}

/** Host and port of a namespace such as `127.0.0.1:5672`, `[::1]:5672` or `localhost` (TLS port 5671). */
function hostAndPort(namespace: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(namespace);
  const host = (match?.[1] ?? namespace).replace(/^\[|\]$/g, "");
  return { host, port: match?.[2] === undefined ? 5671 : Number(match[2]) };
}

/**
 * A connection string that points at this machine (or at an IP address) without
 * `UseDevelopmentEmulator=true` makes the client speak TLS there: to a local emulator that never
 * answers, and with an IP address Node warns (DEP0123) about the TLS server name. Look first, in plain
 * TCP: a plain-AMQP peer or a refused port is reported at once (exit 5) with what to change, and the
 * TLS connection is never tried. Anything else goes on as usual.
 */
export async function checkLocalEndpoint(settings: ConnectionSettings, timeoutMs: number): Promise<void> {
  const access = settings.hubAccess;
  if (access.kind !== "connection-string" || /UseDevelopmentEmulator\s*=\s*true/i.test(access.connectionString)) {
    return;
  }
  const { host, port } = hostAndPort(settings.fullyQualifiedNamespace);
  if (host !== "localhost" && net.isIP(host) === 0) return;
  const where = `Event Hubs at ${settings.fullyQualifiedNamespace}`;
  const result = await probeEndpoint(host, port, Math.min(timeoutMs, 5000));
  if (result === "plain-amqp") {
    throw new CliError(
      ExitCode.Unavailable,
      `${where} speaks plain AMQP, as a local emulator does, but the Event Hubs connection string does not say UseDevelopmentEmulator=true, so eph would connect with TLS: add ";UseDevelopmentEmulator=true" to it.`,
    );
  }
  if (result === "refused") {
    throw new CliError(
      ExitCode.Unavailable,
      `${where} refused the connection: nothing listens on port ${port} (for a local emulator, check its port, and add ";UseDevelopmentEmulator=true" to the connection string).`,
    );
  }
}
