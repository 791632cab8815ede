import { connectionFlagHelp } from "./connection-flags.js";

const exitCodes = `Exit codes: 0 ok, 2 bad flags, 3 missing or malformed connection string, 4 hub, container or
dead letter not found, 5 service unreachable or credentials refused, 6 not confirmed, 130 interrupted.
See "eph --help".`;

const where = `Dead letters are the events a host with onHandlerFailure: "deadLetter" gave up on, one blob each
in the container its BlobDeadLetterStore uses (default here: the checkpoint container), under the
namespace, event hub and consumer group. Their ids are PARTITION:SEQUENCE-NUMBER, e.g. 3:1042.`;

const storeFlags = `  --dead-letter-container NAME    the container of the dead letters (default: the checkpoint
                                  container)                         [env EPH_DEAD_LETTER_CONTAINER]`;

/** `eph dead-letters list --help`. */
export const deadLettersListHelp = `Usage: eph dead-letters list [--partition ID] [flags]

Lists the dead letters of the hub and consumer group, by partition and sequence number: when each
event was enqueued and dead-lettered, which host gave up on it, and the handler's error.

${where}

Flags:
  --partition ID   only this partition's dead letters
  --json           print JSON (an array)
${storeFlags}
  -h, --help       show this text

${connectionFlagHelp}
${exitCodes}
`;

/** `eph dead-letters show --help`. */
export const deadLettersShowHelp = `Usage: eph dead-letters show ID [flags]

Prints one dead letter as JSON: its body, application and system properties (bytes as
{"base64": …}, dates in ISO 8601, big integers as {"bigint": "…"}), position, error, host and time.

${where}

Flags:
${storeFlags}
  -h, --help       show this text

${connectionFlagHelp}
${exitCodes}
`;

/** `eph dead-letters replay --help`. */
export const deadLettersReplayHelp = `Usage: eph dead-letters replay (ID ... | --all | --partition ID) [flags]

Publishes dead letters back to the event hub (or to --to-eventhub NAME in the same namespace) with
their original body and application properties, plus the property "eph-dead-letter" naming where
each came from (namespace/hub/consumer group/partition:sequence number). An event sent with a
partition key is sent with it again; one without is sent to its original partition when replayed
to the same hub. Hosts then process them as new events. With --purge each dead letter is deleted
once it is published.

Asks for confirmation first; without a terminal it refuses unless --yes is given.

Flags:
  --all                 every dead letter of the hub and consumer group
  --partition ID        every dead letter of this partition
  --to-eventhub NAME    publish to this event hub instead
  --purge               delete each dead letter once published
  --yes                 do not ask for confirmation
  --json                print the outcome as JSON
${storeFlags}
  -h, --help            show this text

${connectionFlagHelp}
${exitCodes}
`;

/** `eph dead-letters purge --help`. */
export const deadLettersPurgeHelp = `Usage: eph dead-letters purge (ID ... | --all | --partition ID) [flags]

Deletes dead letters for good. Asks for confirmation first; without a terminal it refuses unless
--yes is given.

Flags:
  --all                 every dead letter of the hub and consumer group
  --partition ID        every dead letter of this partition
  --yes                 do not ask for confirmation
  --json                print the outcome as JSON
${storeFlags}
  -h, --help            show this text

${connectionFlagHelp}
${exitCodes}
`;

/** `eph dead-letters --help`. */
export const deadLettersHelp = `Usage: eph dead-letters <list|show|replay|purge> [flags]

Inspect and act on the events hosts gave up on.

  list     list the dead letters of the hub and consumer group
  show     print one dead letter in full
  replay   publish dead letters back to the hub (or another one)
  purge    delete dead letters

${where}

Run "eph dead-letters <subcommand> --help" for its flags.
`;
