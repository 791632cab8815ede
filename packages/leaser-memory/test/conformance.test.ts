import { describeLeaserConformance } from "@eph/conformance";
import { memoryLeaserFixture } from "./fixture.js";

describeLeaserConformance("MemoryLeaser", memoryLeaserFixture);
