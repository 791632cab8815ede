import { describe, expect, it } from "vitest";
import { OwnershipBook } from "../src/ownership-book.js";

const pids = ["0", "1", "2", "3"];

describe("OwnershipBook", () => {
  it("is balanced only when each partition has one live reader and shares are fair", () => {
    const book = new OwnershipBook();
    for (const p of pids) book.opened("a", p, 1, 1);
    expect(book.isBalanced(["a"], pids)).toBe(true);
    expect(book.isBalanced(["a", "b"], pids)).toBe(false);
    book.opened("b", "0", 2, 2);
    expect(book.isBalanced(["a", "b"], pids)).toBe(false); // partition 0 read twice
    book.closed("a", "0", 3);
    book.closed("a", "1", 3);
    book.opened("b", "1", 2, 4);
    expect(book.isBalanced(["a", "b"], pids)).toBe(true);
    expect(book.moves).toHaveLength(6);
  });

  it("never lets a killed member's late records reopen a partition", () => {
    const book = new OwnershipBook();
    book.opened("a", "0", 1, 1);
    book.gone("a", 10);
    // Written just before the kill, read after it.
    book.opened("a", "1", 1, 9);
    expect(book.readersOf("0")).toEqual([]);
    expect(book.readersOf("1")).toEqual([]);
    expect(book.intervals.map((i) => [i.partitionId, i.from, i.to])).toEqual([
      ["0", 1, 10],
      ["1", 9, 10],
    ]);
  });
});
