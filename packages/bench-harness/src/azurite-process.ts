// Child process running Azurite (blob and table, in memory) on loopback.
import { startAzurite } from "@eph/testing";
import { serveRpc } from "./child-rpc.js";

await serveRpc<null>(async () => {
  const azurite = await startAzurite();
  return {
    info: { blobEndpoint: azurite.blobEndpoint, tableEndpoint: azurite.tableEndpoint },
    handlers: {},
    close: () => azurite.close(),
  };
});
