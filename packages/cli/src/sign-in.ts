import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import { CliError } from "./cli-error.js";
import { ExitCode } from "./exit-codes.js";
import { redact } from "./redact.js";

/** What an operator can do when Entra ID sign-in fails. */
const signInAdvice =
  'sign in with "az login", or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or run where a managed identity is assigned)';

/**
 * The credential `--namespace` and `--storage-account-url` sign in with: `DefaultAzureCredential`, as
 * `az` users expect. `@azure/identity` is loaded only here, so connection-string users never pay for it.
 * A failure to get a token becomes exit code 5 with a message saying which service asked and what to
 * do, instead of the SDK's multi-line list of every credential it tried.
 */
export async function defaultCredential(): Promise<TokenCredential> {
  const { DefaultAzureCredential } = await import("@azure/identity");
  const inner = new DefaultAzureCredential();
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      try {
        return await inner.getToken(scopes, options);
      } catch (error) {
        const scope = Array.isArray(scopes) ? scopes.join(" ") : scopes;
        const first = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
        throw new CliError(
          ExitCode.Unavailable,
          `Signing in with Entra ID (DefaultAzureCredential, for ${scope}) failed: ${redact(first, [])}. To fix: ${signInAdvice}.`,
        );
      }
    },
  };
}
