import type { Closable, Session } from "./session.js";
import type { TestFunctions } from "./test-functions.js";

/** What each concept's file of the Leaser and Checkpointer suites receives. */
export interface SuiteContext<T extends Closable> {
  /** Registers a test that runs against a fresh fixture, torn down afterwards. */
  readonly test: (name: string, body: (session: Session<T>) => Promise<void>) => void;
  /** Groups tests. */
  readonly describe: TestFunctions["describe"];
  /** How many instances race in the concurrency tests. */
  readonly concurrency: number;
}
