/**
 * Removes secrets from text that may quote a request or a connection string: SAS query strings (a
 * `sig` is a bearer token), account and shared access keys, shared-key signatures, and passwords in
 * PostgreSQL URLs and keyword strings. Every adapter passes store messages through it before they
 * reach an `EphError`, a log line or a `cause`.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b((?:postgres(?:ql)?|https?):\/\/[^\s:/@'"]*):[^\s@/'"]*@/gi, "$1:<redacted>@")
    .replace(/(https?:\/\/[^\s?'"]*)\?[^\s'"]*/gi, "$1?<redacted>")
    .replace(/\b(AccountKey|SharedAccessSignature|SharedAccessKey|sig|password)=[^;&\s'"]*/gi, "$1=<redacted>")
    .replace(/\bSharedKey(Lite)? [^\s'"]+/g, "SharedKey$1 <redacted>");
}
