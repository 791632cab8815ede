import { type EventData, EventHubProducerClient } from "@azure/event-hubs";
import type { TokenCredential } from "@azure/identity";
import { ContainerClient } from "@azure/storage-blob";
import { BlobDeadLetterStore } from "@eph/checkpointer-blob";
import type { DeadLetter, DeadLetterStore, DeadLetterSummary } from "@eph/core";
import { CliError } from "./cli-error.js";
import { type FlagSpec, type FlagValues, parseFlags, secondsFlag, stringFlag } from "./command-line.js";
import { confirm } from "./confirm.js";
import { connectionFlagSpec, connectionFlags } from "./connection-flags.js";
import { type ConnectionSettings, resolveConnectionSettings } from "./connection-settings.js";
import { deadLettersSubcommandHelp } from "./dead-letters-command.js";
import { describeError, toCliError } from "./error-classification.js";
import { ExitCode } from "./exit-codes.js";
import type { CliIo } from "./io.js";
import { checkLocalEndpoint } from "./local-endpoint-probe.js";
import { callWithin } from "./session.js";
import { defaultCredential } from "./sign-in.js";
import { renderTable } from "./text-table.js";

type Sub = "list" | "show" | "replay" | "purge";

const base: FlagSpec = {
  ...connectionFlagSpec,
  "dead-letter-container": { type: "string" },
  json: { type: "boolean" },
};
const selection: FlagSpec = {
  all: { type: "boolean" },
  partition: { type: "string" },
  yes: { type: "boolean", short: "y" },
};
const specs: Record<Sub, FlagSpec> = {
  list: { ...base, partition: { type: "string" } },
  show: base,
  replay: { ...base, ...selection, "to-eventhub": { type: "string" }, purge: { type: "boolean" } },
  purge: { ...base, ...selection },
};

/** The property a replayed event carries: where it was dead-lettered. */
export const replayedFromProperty = "eph-dead-letter";

function openStore(settings: ConnectionSettings, container: string, timeoutMs: number, credential?: TokenCredential) {
  const clientOptions = { retryOptions: { maxTries: 2, tryTimeoutInMs: timeoutMs, retryDelayInMs: 300 } };
  const access = settings.storageAccess;
  try {
    if (access.kind === "connection-string") {
      return BlobDeadLetterStore.fromConnectionString(access.connectionString, container, { clientOptions });
    }
    if (!/\.blob\./i.test(access.url) && settings.store !== "blob") {
      throw new CliError(
        ExitCode.Usage,
        "Dead letters are kept in Blob Storage: give the account's blob endpoint (--storage-account-url https://ACCOUNT.blob.core.windows.net).",
      );
    }
    return new BlobDeadLetterStore(new ContainerClient(`${access.url}/${container}`, credential, clientOptions));
  } catch (error) {
    throw toCliError(error, "Opening the dead-letter store", settings.secrets);
  }
}

function openProducer(settings: ConnectionSettings, hub: string | undefined, credential?: TokenCredential) {
  const options = { retryOptions: { maxRetries: 1, retryDelayInMs: 300 }, userAgent: "eph-cli" };
  const access = settings.hubAccess;
  try {
    if (access.kind === "connection-string") {
      if (hub === undefined) return new EventHubProducerClient(access.connectionString, options);
      // Another hub of the namespace: the connection string's EntityPath would name the wrong one.
      const withoutEntity = access.connectionString.replace(/;?\s*EntityPath\s*=[^;]*/i, "");
      return new EventHubProducerClient(withoutEntity, hub, options);
    }
    if (!credential) throw new Error("no credential for Entra ID sign-in");
    return new EventHubProducerClient(access.url, hub ?? settings.eventHubName, credential, options);
  } catch (error) {
    throw toCliError(error, "The Event Hubs client refused its settings", settings.secrets);
  }
}

/** JSON of a dead letter's values: bytes as `{ base64 }`, big integers as `{ bigint }`, dates in ISO 8601. */
export function deadLetterJson(value: unknown): string {
  return JSON.stringify(
    value,
    function (this: Record<string, unknown>, key, converted: unknown) {
      const raw = this[key];
      if (raw instanceof Uint8Array) return { base64: Buffer.from(raw).toString("base64") };
      if (typeof raw === "bigint") return { bigint: raw.toString() };
      return converted;
    },
    2,
  );
}

function summaryRow(s: DeadLetterSummary): string[] {
  const error = `${s.errorName}: ${s.errorMessage}`;
  return [
    s.id,
    s.enqueuedTime.toISOString(),
    s.deadLetteredAt.toISOString(),
    s.hostName,
    error.length > 70 ? `${error.slice(0, 69)}…` : error,
  ];
}

async function select(
  command: string,
  values: FlagValues,
  ids: readonly string[],
  store: DeadLetterStore,
  call: Call,
): Promise<DeadLetterSummary[]> {
  const partition = stringFlag(values, "partition");
  const all = values.all === true;
  if ([ids.length > 0, all, partition !== undefined].filter(Boolean).length !== 1) {
    throw new CliError(
      ExitCode.Usage,
      `eph ${command}: say which dead letters: IDs, --all or --partition ID (one of them).`,
    );
  }
  const listed = await call("Listing the dead letters", (abortSignal) =>
    store.list({ abortSignal, ...(partition === undefined ? {} : { partitionId: partition }) }),
  );
  if (ids.length === 0) return listed;
  const byId = new Map(listed.map((s) => [s.id, s]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    const shown = missing.map((id) => (/^[\w.-]{1,64}:\d{1,20}$/.test(id) ? id : "<not an id>")).join(", ");
    throw new CliError(ExitCode.NotFound, `No dead letter ${shown} in this hub and consumer group.`);
  }
  return [...new Set(ids)].map((id) => byId.get(id) as DeadLetterSummary);
}

type Call = <T>(what: string, fn: (abortSignal: AbortSignal) => Promise<T>) => Promise<T>;

async function confirmed(io: CliIo, values: FlagValues, question: string, what: string): Promise<void> {
  if (values.yes === true) return;
  const answer = await confirm(io, question);
  if (answer === "no-terminal")
    throw new CliError(ExitCode.NotConfirmed, `No terminal to confirm on: run again with --yes to ${what}.`);
  if (answer === "no") throw new CliError(ExitCode.NotConfirmed, "Not confirmed: nothing was changed.");
}

/** The event to publish again: body and application properties as they were, and where it came from. */
export function replayedEvent(letter: DeadLetter, source: string): EventData {
  const system = letter.systemProperties;
  const text = (name: string) => (typeof system[name] === "string" ? (system[name] as string) : undefined);
  return {
    body: letter.body,
    properties: { ...letter.properties, [replayedFromProperty]: source },
    ...(text("contentType") ? { contentType: text("contentType") } : {}),
    ...(text("correlationId") ? { correlationId: text("correlationId") } : {}),
    ...(text("messageId") ? { messageId: text("messageId") } : {}),
  };
}

/** `eph dead-letters list|show|replay|purge`. */
export async function deadLetterAction(sub: Sub, argv: readonly string[], io: CliIo): Promise<number> {
  const command = `dead-letters ${sub}`;
  const { values, positionals } = parseFlags(argv, specs[sub], command);
  if (values.help) {
    io.stdout.write(deadLettersSubcommandHelp[sub] ?? "");
    return ExitCode.Ok;
  }
  if ((sub === "list" && positionals.length > 0) || (sub === "show" && positionals.length !== 1)) {
    throw new CliError(
      ExitCode.Usage,
      `eph ${command}: ${sub === "show" ? "give one dead letter id" : "takes no arguments"}. See "eph ${command} --help".`,
    );
  }
  const timeout = secondsFlag(values, "timeout", command, 30_000);
  const settings = resolveConnectionSettings(connectionFlags(values), io.env);
  const container =
    stringFlag(values, "dead-letter-container") ?? io.env.EPH_DEAD_LETTER_CONTAINER ?? settings.checkpointContainer;
  await checkLocalEndpoint(settings, timeout);
  const entra = settings.hubAccess.kind === "entra-id" || settings.storageAccess.kind === "entra-id";
  const credential = entra ? await defaultCredential() : undefined;
  const store = openStore(settings, container, timeout, credential);
  const call: Call = (what, fn) => callWithin(what, fn, timeout, io.signal, settings.secrets);
  const { fullyQualifiedNamespace, eventHubName, consumerGroup } = settings;
  store.setEventProcessorHost({ hostName: "eph-cli", fullyQualifiedNamespace, eventHubName, consumerGroup });
  try {
    if (sub === "list") {
      const partitionId = stringFlag(values, "partition");
      const listed = await call("Listing the dead letters", (abortSignal) =>
        store.list({ abortSignal, ...(partitionId === undefined ? {} : { partitionId }) }),
      );
      if (values.json) io.stdout.write(`${deadLetterJson(listed)}\n`);
      else if (listed.length === 0)
        io.stderr.write(`No dead letters in event hub ${eventHubName}, consumer group ${consumerGroup}.\n`);
      else
        io.stdout.write(
          `${renderTable(["ID", "ENQUEUED", "DEAD-LETTERED", "HOST", "ERROR"], listed.map(summaryRow), ["left", "left", "left", "left", "left"])}\n`,
        );
      return ExitCode.Ok;
    }
    if (sub === "show") {
      const id = positionals[0] as string;
      const letter = await call(`Reading dead letter ${id}`, (abortSignal) => store.get(id, { abortSignal }));
      if (letter === undefined)
        throw new CliError(ExitCode.NotFound, "No such dead letter in this hub and consumer group.");
      io.stdout.write(`${deadLetterJson({ id, ...letter })}\n`);
      return ExitCode.Ok;
    }
    const chosen = await select(command, values, positionals, store, call);
    if (chosen.length === 0) {
      io.stderr.write("No dead letters to act on.\n");
      if (values.json) io.stdout.write("[]\n");
      return ExitCode.Ok;
    }
    const toHub = sub === "replay" ? stringFlag(values, "to-eventhub") : undefined;
    const purge = sub === "purge" || values.purge === true;
    const action =
      sub === "purge" ? "Delete" : `Publish to event hub ${toHub ?? eventHubName}${purge ? " and then delete" : ""}`;
    io.stderr.write(
      `${action} ${chosen.length} dead letter(s) of event hub ${eventHubName}, consumer group ${consumerGroup}:\n\n${renderTable(["ID", "ENQUEUED", "DEAD-LETTERED", "HOST", "ERROR"], chosen.map(summaryRow), ["left", "left", "left", "left", "left"])}\n\n`,
    );
    await confirmed(io, values, "Proceed?", sub === "purge" ? "delete them" : "publish them");
    const producer = sub === "replay" ? openProducer(settings, toHub, credential) : undefined;
    const results: { id: string; outcome: "replayed" | "purged" | "failed"; error: string | null }[] = [];
    try {
      for (const s of chosen) {
        try {
          if (producer) {
            const letter = await call(`Reading dead letter ${s.id}`, (abortSignal) => store.get(s.id, { abortSignal }));
            if (letter === undefined) throw new CliError(ExitCode.NotFound, "it was deleted meanwhile");
            const source = `${fullyQualifiedNamespace}/${eventHubName}/${consumerGroup}/${s.id}`;
            const target = letter.partitionKey
              ? { partitionKey: letter.partitionKey }
              : toHub === undefined
                ? { partitionId: letter.partitionId }
                : {};
            await call(`Publishing dead letter ${s.id}`, (abortSignal) =>
              producer.sendBatch([replayedEvent(letter, source)], { ...target, abortSignal }),
            );
          }
          if (purge) await call(`Deleting dead letter ${s.id}`, (abortSignal) => store.delete(s.id, { abortSignal }));
          results.push({ id: s.id, outcome: producer ? "replayed" : "purged", error: null });
        } catch (error) {
          if (error instanceof CliError && error.exitCode === ExitCode.Interrupted) throw error;
          results.push({ id: s.id, outcome: "failed", error: describeError(error, settings.secrets) });
        }
      }
    } finally {
      await producer?.close();
    }
    if (values.json) io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else
      for (const r of results)
        io.stdout.write(
          `${r.id}: ${r.outcome}${r.error ? `: ${r.error}` : purge && r.outcome === "replayed" ? " and deleted" : ""}\n`,
        );
    return results.every((r) => r.outcome !== "failed") ? ExitCode.Ok : ExitCode.Failure;
  } finally {
    await store.close();
  }
}
