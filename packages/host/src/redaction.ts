/**
 * Scrubs secrets from text that may reach a log or an error message. Client libraries sometimes quote
 * the connection string or token they were given (the Event Hubs client's own validation errors do),
 * so every foreign message goes through here before the host repeats it.
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

/** A short description of any thrown value, scrubbed of secrets. */
export function describeError(error: unknown, secrets: readonly string[] = []): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const prefix = typeof code === "string" && code !== "" ? `${code}: ` : `${error.name}: `;
    return redact(prefix + error.message, secrets);
  }
  return redact(String(error), secrets);
}
