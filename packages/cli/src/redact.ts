/**
 * Removes secrets from text before the command prints it. SDK errors sometimes quote the connection
 * string, URL or token they were given, so every foreign message passes through here, with the secret
 * values taken from the connection strings in use and the generic patterns as a second net.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join("<redacted>");
  }
  return out
    .replace(/(SharedAccessKey\s*=\s*)[^;"'\s]+/gi, "$1<redacted>")
    .replace(/(SharedAccessSignature\s*=\s*)[^;"']+/gi, "$1<redacted>")
    .replace(/(AccountKey\s*=\s*)[^;"'\s]+/gi, "$1<redacted>")
    .replace(/([?&\s]sig=)[^&;"'\s]+/gi, "$1<redacted>");
}
