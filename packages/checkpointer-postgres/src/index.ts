export {
  PostgresCheckpointer,
  type PostgresCheckpointerConnectionOptions,
  type PostgresCheckpointerOptions,
} from "./postgres-checkpointer.js";
