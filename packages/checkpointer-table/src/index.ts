export { TableRequestError } from "@eph/table-common";
export type { CheckpointLayout } from "./checkpoint-layout.js";
export {
  TableCheckpointer,
  type TableCheckpointerConnectionOptions,
  type TableCheckpointerOptions,
} from "./table-checkpointer.js";
