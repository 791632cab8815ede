export { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME, type AzuriteInstance, startAzurite } from "./azurite.js";
