import { Console } from "node:console";
import { Writable } from "node:stream";

/** A real `Console` (what users pass as `logger: console`) that writes to `lines` instead of the terminal. */
export function consoleSink(lines: string[] = []): Console & { readonly lines: string[] } {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return Object.assign(new Console({ stdout: sink, stderr: sink }), { lines });
}
