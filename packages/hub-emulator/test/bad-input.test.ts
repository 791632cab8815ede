import { createRequire } from "node:module";
import net from "node:net";
import { EventHubProducerClient } from "@azure/event-hubs";
import rhea, { type AmqpError, type Connection, type Receiver, type Sender } from "rhea";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.js";
import { until } from "./helpers.js";

interface RheaFrames {
  flow(fields: Record<string, unknown>): unknown;
  disposition(fields: Record<string, unknown>): unknown;
}
const rheaFrames = createRequire(import.meta.url)("rhea/lib/frames.js") as RheaFrames;

let emu: Emulator;
let producer: EventHubProducerClient;
const connections: Connection[] = [];

beforeAll(async () => {
  emu = await startEmulator({ hubs: { hub: 2 } });
  producer = new EventHubProducerClient(emu.connectionString("hub"));
});
afterAll(async () => {
  for (const c of connections) c.close();
  await producer.close();
  await emu.close();
});

/** The emulator still serves a well-behaved client. */
async function stillServing(): Promise<void> {
  await producer.sendBatch([{ body: "still here" }], { partitionId: "0" });
}

function connect(): Connection {
  const connection = rhea.create_container().connect({ host: "127.0.0.1", port: emu.port, reconnect: false });
  connection.on("error", () => {});
  connections.push(connection);
  return connection;
}

/** Resolves with the error the emulator detaches a link with. */
function detachError(link: Sender | Receiver): Promise<AmqpError> {
  return new Promise((resolve) => {
    const done = () => resolve(link.error as AmqpError);
    link.once(link.is_sender() ? "sender_close" : "receiver_close", done);
  });
}

/** Sends raw bytes and collects what comes back until the emulator closes the socket. */
function rawExchange(bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(emu.port, "127.0.0.1", () => socket.write(bytes));
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks)));
  });
}

describe("bad input never crashes the emulator", () => {
  it("a connection sending a malformed frame is closed with amqp:connection:framing-error", async () => {
    const header = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 1, 0, 0]);
    // A frame of 16 bytes whose body is not a performative.
    const frame = Buffer.from([0, 0, 0, 16, 2, 0, 0, 0, 0x00, 0x53, 0x99, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const reply = await rawExchange(Buffer.concat([header, frame]));
    expect(reply.subarray(0, 4).toString("latin1")).toBe("AMQP");
    expect(reply.toString("latin1")).toContain("amqp:connection:framing-error");
    await stillServing();
  });

  it("a frame announced larger than the advertised maximum closes the connection before it is buffered", async () => {
    const header = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 1, 0, 0]);
    const frameStart = Buffer.from([0, 0xa0, 0, 0, 2, 0, 0, 0, 0x00, 0x53, 0x14]);
    const reply = await rawExchange(Buffer.concat([header, frameStart]));
    expect(reply.toString("latin1")).toContain("amqp:connection:framing-error");
    expect(reply.toString("latin1")).toContain("exceeds the maximum frame size");
    await stillServing();
  });

  it("a connection that is not AMQP at all is closed", async () => {
    await rawExchange(Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    await stillServing();
  });

  it("attaching to an unknown address gets amqp:not-found", async () => {
    const connection = connect();
    const sender = connection.open_sender({ target: { address: "hub/Nowhere/0" } });
    expect((await detachError(sender)).condition).toBe("amqp:not-found");
    const receiver = connection.open_receiver({ source: { address: "hub/ConsumerGroups/$Default" } });
    expect((await detachError(receiver)).condition).toBe("amqp:not-found");
    await stillServing();
  });

  it("an unparsable selector filter gets com.microsoft:argument-error", async () => {
    const receiver = connect().open_receiver({
      source: { address: "hub/ConsumerGroups/$Default/Partitions/0", filter: rhea.filter.selector("x-opt-offset = 1") },
    });
    const error = await detachError(receiver);
    expect(error.condition).toBe("com.microsoft:argument-error");
    expect(error.description).toContain("x-opt-offset = 1");
  });

  it("a filter of another type gets amqp:not-allowed", async () => {
    const receiver = connect().open_receiver({
      source: { address: "hub/ConsumerGroups/$Default/Partitions/0", filter: { "my-filter": "anything" } },
    });
    expect((await detachError(receiver)).condition).toBe("amqp:not-allowed");
  });

  it("an undecodable batch is rejected with amqp:decode-error and the link keeps working", async () => {
    const connection = connect();
    const sender = connection.open_sender({ target: { address: "hub/Partitions/1" } });
    await new Promise((resolve) => sender.once("sendable", resolve));
    const outcome = (format: number, payload: Buffer) =>
      new Promise<string>((resolve) => {
        const delivery = sender.send(payload, undefined, format);
        const settle = (context: { delivery?: { id: number } }, result: string) => {
          if (context.delivery?.id === delivery.id) resolve(result);
        };
        sender.on("accepted", (c) => settle(c, "accepted"));
        sender.on("rejected", (c) =>
          settle(c, (c.delivery?.remote_state as { error?: AmqpError } | undefined)?.error?.condition ?? "rejected"),
        );
      });
    expect(await outcome(0x80013700, Buffer.from([0x00, 0x53, 0x75, 0xb0, 0xff, 0xff]))).toBe("amqp:decode-error");
    expect(await outcome(0x12345, Buffer.from([1, 2, 3]))).toBe("amqp:not-implemented");
    // A plain (format 0) AMQP message is accepted as one event.
    expect(await outcome(0, rhea.message.encode({ body: "plain" }))).toBe("accepted");
    expect((await producer.getPartitionProperties("1")).lastEnqueuedSequenceNumber).toBe(0);
  });

  it("frames arriving for a session the client already ended are ignored; the connection lives on", async () => {
    const connection = connect();
    const session = connection.create_session();
    session.begin();
    const receiver = session.open_receiver({
      source: { address: "hub/ConsumerGroups/$Default/Partitions/0" },
      credit_window: 0,
    });
    await new Promise((resolve) => receiver.once("receiver_open", resolve));
    const channel = (session as unknown as { local: { channel: number } }).local.channel;
    const ended = new Promise((resolve) => session.once("session_close", resolve));
    session.close();
    await ended;
    // What the Event Hubs client sometimes does: a flow and a disposition on the channel it just ended.
    const raw = connection as unknown as { _write_frame(channel: number, frame: unknown): void };
    raw._write_frame(
      channel,
      rheaFrames.flow({
        next_incoming_id: 0,
        incoming_window: 2048,
        next_outgoing_id: 0,
        outgoing_window: 100,
        handle: 0,
        delivery_count: 0,
        link_credit: 10,
      }),
    );
    raw._write_frame(channel, rheaFrames.disposition({ role: true, first: 0, settled: true }));
    const sender = connection.open_sender({ target: { address: "hub/Partitions/0" } });
    await new Promise((resolve, reject) => {
      sender.once("sendable", resolve);
      connection.once("disconnected", () => reject(new Error("the emulator dropped the connection")));
    });
    expect(connection.is_open()).toBe(true);
  });

  it("a delivery growing far past the size limit closes its connection with message-size-exceeded", async () => {
    const connection = rhea
      .create_container()
      .connect({ host: "127.0.0.1", port: emu.port, reconnect: false, max_frame_size: 65536 });
    connection.on("error", () => {});
    connections.push(connection);
    const closed = new Promise<AmqpError>((resolve) =>
      connection.once("connection_close", () => resolve(connection.error as AmqpError)),
    );
    const sender = connection.open_sender({ target: { address: "hub/Partitions/1" } });
    sender.once("sendable", () => sender.send(Buffer.alloc(3 * 1024 * 1024), undefined, 0x80013700));
    expect((await closed).condition).toBe("amqp:link:message-size-exceeded");
    await stillServing();
  });

  it("a client vanishing in the middle of a multi-frame transfer stores nothing and harms no one", async () => {
    // Forward the client's bytes until 64 KiB of a 512 KiB publish went through, then cut both sockets.
    const proxy = net.createServer((client) => {
      const upstream = net.connect(emu.port, "127.0.0.1");
      let forwarded = 0;
      let cut = false;
      client.on("data", (chunk) => {
        if (cut) return;
        forwarded += chunk.length;
        upstream.write(chunk);
        if (forwarded > 64 * 1024) {
          cut = true;
          upstream.destroy();
          client.destroy();
        }
      });
      upstream.on("data", (chunk) => client.write(chunk));
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const port = (proxy.address() as net.AddressInfo).port;
    const connection = rhea
      .create_container()
      .connect({ host: "127.0.0.1", port, reconnect: false, max_frame_size: 16384 });
    connection.on("error", () => {});
    const disconnected = new Promise((resolve) => connection.once("disconnected", resolve));
    const sender = connection.open_sender({ target: { address: "hub/Partitions/0" } });
    sender.once("sendable", () => sender.send(rhea.message.encode({ body: Buffer.alloc(512 * 1024) }), undefined, 0));
    await disconnected;
    proxy.close();
    const before = (await producer.getPartitionProperties("0")).lastEnqueuedSequenceNumber;
    await stillServing();
    await until(
      async () => (await producer.getPartitionProperties("0")).lastEnqueuedSequenceNumber === before + 1,
      "only the well-behaved publish is stored",
    );
  });
});
