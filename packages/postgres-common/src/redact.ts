/**
 * Removes passwords from text that may quote connection settings: the `user:password@` part of a
 * `postgres://` URL, `password=…` in URL queries and keyword/value strings, and every given secret
 * wherever it appears. PostgreSQL's own messages do not contain passwords; this guards the rest.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@\s]*@/gi, "$1<redacted>@")
    .replace(/\bpassword\s*=\s*(?:'(?:[^'\\]|\\.)*'|[^\s&;]*)/gi, "password=<redacted>");
  for (const secret of secrets) if (secret !== "") out = out.split(secret).join("<redacted>");
  return out;
}
