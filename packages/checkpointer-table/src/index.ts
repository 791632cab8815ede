export type { CheckpointLayout } from "./checkpoint-layout.js";
export {
  TableCheckpointer,
  type TableCheckpointerConnectionOptions,
  type TableCheckpointerOptions,
} from "./table-checkpointer.js";
export { TableRequestError } from "./table-request-error.js";
