import { describeCheckpointerConformance } from "@eph/conformance";
import { memoryCheckpointerFixture } from "./fixture.js";

describeCheckpointerConformance("MemoryCheckpointer", memoryCheckpointerFixture);
