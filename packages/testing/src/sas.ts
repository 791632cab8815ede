/** The `sig` of a SAS: the part that is a bearer secret, which must never appear in errors or logs. */
export function sasSignature(sas: string): string {
  return new URLSearchParams(sas).get("sig") ?? "";
}
