export { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME, type AzuriteInstance, startAzurite } from "./azurite.js";
export {
  type BlobTestContainer,
  blobAccountSas,
  blobConnectionString,
  blobQuickRetries,
  blobSasConnectionString,
  containerSas,
  freshBlobContainer,
  freshContainerName,
  rawContainer,
  type TestAuth,
} from "./blob-storage.js";
export { buildIfStale } from "./build-if-stale.js";
export { consoleSink } from "./console-sink.js";
export { exposed, keyForms, type RejectionError, rejection } from "./error-inspection.js";
export {
  type Fault,
  type FaultProxy,
  type FaultProxyOptions,
  type FaultProxyService,
  type SeenRequest,
  startFaultProxy,
} from "./fault-proxy.js";
export { hostInfo, type TestHostInfo } from "./host-info.js";
export { freshPostgresTableName, type PostgresServer, postgresBinDir, startPostgres } from "./postgres.js";
export { sasSignature } from "./sas.js";
export {
  type CallCounter,
  countCalls,
  freshTableName,
  freshTestTable,
  rawTableClient,
  type TestTable,
  tableAccountSas,
  tableConnectionString,
  tableQuickRetries,
  tableSasConnectionString,
} from "./table-storage.js";
