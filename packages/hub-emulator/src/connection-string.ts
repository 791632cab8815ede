/** Key name put in emulator connection strings (any name and key are accepted). */
export const EMULATOR_KEY_NAME = "RootManageSharedAccessKey";
/** Key put in emulator connection strings; it is not a secret: the emulator accepts every token. */
export const EMULATOR_KEY = "SAS_KEY_VALUE";

/**
 * A connection string the Event Hubs client accepts for the emulator. `UseDevelopmentEmulator=true` makes
 * the client use plain TCP (no TLS) on the port given in the endpoint.
 */
export function emulatorConnectionString(host: string, port: number, hub: string): string {
  const endpointHost = host.includes(":") ? `[${host}]` : host;
  return `Endpoint=sb://${endpointHost}:${port}/;SharedAccessKeyName=${EMULATOR_KEY_NAME};SharedAccessKey=${EMULATOR_KEY};EntityPath=${hub};UseDevelopmentEmulator=true`;
}
