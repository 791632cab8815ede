export { TableLeaser, type TableLeaserConnectionOptions, type TableLeaserOptions } from "./table-leaser.js";
export { TableRequestError } from "./table-request-error.js";
