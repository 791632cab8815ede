export { TableRequestError } from "@eph/table-common";
export { TableLeaser, type TableLeaserConnectionOptions, type TableLeaserOptions } from "./table-leaser.js";
