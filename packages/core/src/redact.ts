/**
 * Removes secrets from text that may quote a request or a connection string: SAS query strings (a
 * `sig` is a bearer token), account and shared access keys, shared-key signatures, the password of any
 * `scheme://user:password@` URL, `password=…` settings (quoted or not), and every one of `secrets` (the
 * password a client was configured with) wherever it appears. Every adapter passes store messages
 * through it before they reach an `EphError`, a log line or a `cause`.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s'"]*:)[^@\s]*@/gi, "$1<redacted>@")
    .replace(/(https?:\/\/[^\s?'"]*)\?[^\s'"]*/gi, "$1?<redacted>")
    .replace(/\bpassword\s*=\s*(?:'(?:[^'\\]|\\.)*'|[^;&\s'"]*)/gi, "password=<redacted>")
    .replace(/\b(AccountKey|SharedAccessSignature|SharedAccessKey|sig)=[^;&\s'"]*/gi, "$1=<redacted>")
    .replace(/\bSharedKey(Lite)? [^\s'"]+/g, "SharedKey$1 <redacted>");
  for (const secret of secrets) if (secret !== "") out = out.split(secret).join("<redacted>");
  return out;
}
