export { PostgresLeaser, type PostgresLeaserConnectionOptions, type PostgresLeaserOptions } from "./postgres-leaser.js";
