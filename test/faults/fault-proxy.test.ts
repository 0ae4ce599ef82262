// The fault proxy does what the fault test's summary says it did: a reset reaches both ends as a
// reset (not a clean close), and a stall forwards only part of a chunk, then the rest in order
// (resume) or resets. Plain TCP on 127.0.0.1, no server of ours.
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { FaultProxy } from "./fault-proxy";

interface End {
  socket: net.Socket;
  received: () => string;
  /** Resolves with the error code the socket closed with ("" for a clean close). */
  closed: Promise<string>;
}

function watch(socket: net.Socket): End {
  let data = "";
  let code = "";
  socket.on("data", (d) => {
    data += d.toString();
  });
  socket.on("error", (err: NodeJS.ErrnoException) => {
    code = err.code ?? "error";
  });
  return { socket, received: () => data, closed: new Promise((resolve) => socket.on("close", () => resolve(code))) };
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

/** A proxy in front of a plain TCP server, and one connection through it. */
async function connected(): Promise<{ proxy: FaultProxy; client: End; upstream: End }> {
  let accepted: (s: net.Socket) => void = () => {};
  const upstreamSocket = new Promise<net.Socket>((resolve) => {
    accepted = resolve;
  });
  const server = net.createServer((s) => accepted(s));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxy = await FaultProxy.listen((server.address() as net.AddressInfo).port);
  const socket = net.connect(proxy.port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  const client = watch(socket);
  const upstream = watch(await upstreamSocket);
  cleanup.push(async () => {
    client.socket.destroy();
    upstream.socket.destroy();
    await proxy.close();
    await new Promise((resolve) => server.close(resolve));
  });
  return { proxy, client, upstream };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe("fault proxy", () => {
  it("forwards both ways, and a reset reaches both ends as ECONNRESET", async () => {
    const { proxy, client, upstream } = await connected();
    client.socket.write("ping");
    await until(() => upstream.received() === "ping");
    upstream.socket.write("pong");
    await until(() => client.received() === "pong");
    expect([upstream.received(), client.received()]).toEqual(["ping", "pong"]);
    expect(proxy.reset(client.socket.localPort!)).toBe(true);
    expect(await Promise.all([client.closed, upstream.closed])).toEqual(["ECONNRESET", "ECONNRESET"]);
    expect(proxy.reset(client.socket.localPort!)).toBe(false);
  });

  it("stalls inside a chunk, then delivers the rest in order", async () => {
    const { proxy, client, upstream } = await connected();
    expect(proxy.stall(client.socket.localPort!, 300, "resume")).toBe(true);
    client.socket.write("0123456789");
    await until(() => upstream.received().length > 0);
    await new Promise((r) => setTimeout(r, 100));
    const during = upstream.received();
    expect(during.length).toBeGreaterThan(0);
    expect(during.length).toBeLessThan(10);
    expect("0123456789".startsWith(during)).toBe(true);
    await until(() => upstream.received().length === 10);
    expect(upstream.received()).toBe("0123456789");
    expect(proxy.counts).toMatchObject({ stalls: 1, cutMidFrame: 1, resumed: 1 });
  });

  it("stalls inside a chunk, then resets both ends", async () => {
    const { proxy, client, upstream } = await connected();
    proxy.stall(client.socket.localPort!, 200, "reset");
    client.socket.write("0123456789");
    expect(await Promise.all([client.closed, upstream.closed])).toEqual(["ECONNRESET", "ECONNRESET"]);
    expect(upstream.received().length).toBeGreaterThan(0);
    expect(upstream.received().length).toBeLessThan(10);
    expect(proxy.counts).toMatchObject({ stalls: 1, cutMidFrame: 1, stallsReset: 1 });
  });
});
