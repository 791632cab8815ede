import { connectionFlagHelp } from "./connection-flags.js";

const exitCodes = `Exit codes: 0 ok, 2 bad flags, 3 missing or malformed connection string, 4 hub, container or
partition not found, 5 service unreachable or credentials refused, 6 not confirmed, 7 lost the race
for a lease to running hosts (that partition unchanged), 130 interrupted. See "eph --help".`;

/** `eph checkpoints list --help`. */
export const listHelp = `Usage: eph checkpoints list [flags]

Lists the stored checkpoint of every partition: the last event your hosts recorded as processed
(they resume after it), with the partition's newest event and the lag between the two.

Flags:
  --json         print JSON (an array of partitions)
  -h, --help     show this text

${connectionFlagHelp}
${exitCodes}
`;

const changeHow = `How the change is made, safely even while hosts run: for each partition eph takes the
lease (a new epoch; it shows as owner "eph-cli-<machine>-<pid>" for a moment), raises the checkpoint
fence to that epoch so the previous owner can no longer write, replaces the checkpoint, and releases the
lease. The previous owner stops reading the partition when its next renewal fails; a host takes it
again at its next scan and resumes from the new checkpoint. Taking the lease is one conditional write;
if hosts change the lease between eph's read and its write three times in a row, that partition is
left alone (exit code 7): retry.

Asks for confirmation first. Without a terminal (a script, a pipe) it refuses unless --yes is given.`;

/** `eph checkpoints set --help`. */
export const setHelp = `Usage: eph checkpoints set (--partition ID ... | --all) (--sequence-number N | --latest) [flags]

Moves the checkpoint of partitions, backwards (replay) or forwards (skip). The checkpoint names the
last processed event: hosts resume with the event after it.
  --sequence-number N   hosts resume after event N (N must still be retained in the partition)
  --latest              skip everything enqueued so far: hosts resume with the next new event

${changeHow}

Flags:
  --partition ID        a partition to change; repeat for several
  --all                 every partition of the hub
  --sequence-number N   the new checkpoint
  --latest              the newest event of each partition as the new checkpoint
  --yes                 do not ask for confirmation
  --json                print the outcome as JSON
  -h, --help            show this text

${connectionFlagHelp}
${exitCodes}
`;

/** `eph checkpoints reset --help`. */
export const resetHelp = `Usage: eph checkpoints reset (--partition ID ... | --all) [flags]

Removes the checkpoint of partitions: hosts then start them at their initial position (the host
option initialPosition, "earliest" by default: every retained event is processed again).

${changeHow}

Flags:
  --partition ID   a partition to reset; repeat for several
  --all            every partition of the hub
  --yes            do not ask for confirmation
  --json           print the outcome as JSON
  -h, --help       show this text

${connectionFlagHelp}
${exitCodes}
`;

/** `eph checkpoints --help`. */
export const checkpointsHelp = `Usage: eph checkpoints <list|set|reset> [flags]

  list    show the stored checkpoint of every partition, with lag
  set     move checkpoints to a sequence number or to the latest event (asks first)
  reset   remove checkpoints so hosts start at their initial position (asks first)

Run "eph checkpoints <subcommand> --help" for the flags of each.
`;
