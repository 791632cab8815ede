/**
 * Removes secrets from text that may quote a request: SAS query strings (the `sig` is a bearer token),
 * account keys and whole connection-string secret parts. Service messages do not normally contain them,
 * but transport errors quote the request URL, and a SAS-authenticated client's URL carries the token.
 */
export function redact(text: string): string {
  return text
    .replace(/(https?:\/\/[^\s?'"]*)\?[^\s'"]*/gi, "$1?<redacted>")
    .replace(/\b(AccountKey|SharedAccessSignature|SharedAccessKey|sig)=[^;&\s'"]*/gi, "$1=<redacted>");
}
