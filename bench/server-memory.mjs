// What connections and request bodies cost the Node server in memory, against a raw node:http server in the same
// run (the floor node itself sets). Each run starts both afresh (ours: apps/server/dist/main.js on the memory
// store, its caps raised out of the way) and reads each one's RSS (/proc/PID/status) before and after:
//   idle:      N connections open that have sent nothing (measured inside our 10 s header timeout);
//   under way: the same N connections, each with a request's head sent (POST /todos, Content-Length 100) and no
//              body yet;
//   bodies:    K JSON bodies of B bytes sent but for their last byte, so that each is held read but unfinished:
//              with Content-Length, then chunked (no Content-Length). The raw server keeps each body's chunks in
//              an array until its end, as a hand-written handler reading a body whole does.
// Prints medians: KB of RSS per connection, and bytes of RSS per byte of body held, ours and raw, and ours/raw.
// Linux only (/proc). The machine's other work and the garbage collector's timing move RSS: read the medians.
// Usage: pnpm build && node bench/server-memory.mjs [runs=3] [connections=2000] [bodies=8] [bodyMiB=8]
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { fmt, median, startNode } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 3);
const connections = Number(process.argv[3] ?? 2_000);
const bodies = Number(process.argv[4] ?? 8);
const bodyBytes = Math.min(Number(process.argv[5] ?? 8) * 1024 * 1024, 10 * 1024 * 1024);
// Long enough for a server to take in what was sent and settle; well short of our 10 s header timeout.
const SETTLE_MS = 1_500;

/** Resident memory of process `pid`, in bytes. */
function rssOf(pid) {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  if (kb === undefined) throw new Error(`No VmRSS for ${pid}`);
  return Number(kb) * 1024;
}

/** Ours, on the memory store, with room for every connection and body the bench opens. */
async function startOurs(dataDir) {
  const server = startNode([path.join(root, "apps/server/dist/main.js")], {
    env: {
      PORT: "0",
      TODO_STORE: "memory",
      DATA_DIR: dataDir,
      MAX_CONNECTIONS: String(connections + 100),
      JSON_BODY_LIMIT: String(bodyBytes),
      BODY_MEMORY_LIMIT: String(2 * bodies * bodyBytes),
      BODY_MIN_RATE: "0",
    },
    // Its log goes to a file this process does not read once the server is up.
    logFile: path.join(dataDir, "server.log"),
    ready: (line) => {
      const entry = JSON.parse(line);
      return entry.msg === "listening" && entry.url;
    },
  });
  return { ...server, url: await server.started };
}

/** Node's floor: answers 201 once a body has ended, holding its chunks until then. */
async function startRaw() {
  const server = startNode(
    [
      "--input-type=module",
      "-e",
      `
  import { createServer } from "node:http";
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => res.writeHead(201, { "content-type": "application/json" }).end(String(Buffer.concat(chunks).length)));
  });
  server.listen(0, "127.0.0.1", () => console.log("http://127.0.0.1:" + server.address().port));
`,
    ],
    { ready: (line) => line.startsWith("http://") && line },
  );
  return { ...server, url: await server.started };
}

/** Opens `count` connections to `url`, a few hundred at a time; resolves once all are connected. */
async function openConnections(url, count) {
  const { hostname, port } = new URL(url);
  const sockets = [];
  for (let start = 0; start < count; start += 250) {
    const batch = Array.from({ length: Math.min(250, count - start) }, () => {
      const socket = connect(Number(port), hostname);
      socket.on("error", () => {});
      sockets.push(socket);
      return new Promise((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("error", reject);
      });
    });
    await Promise.all(batch);
  }
  return sockets;
}

/** Grows with what the server holds: RSS after `act` less RSS before, once each has settled. */
async function rssGrowth(pid, act) {
  await sleep(SETTLE_MS);
  const before = rssOf(pid);
  const held = await act();
  await sleep(SETTLE_MS);
  return { growth: rssOf(pid) - before, held };
}

/** KB per connection: idle ones, then the same with a request under way on each. */
async function perConnection(server) {
  let sockets = [];
  const idle = await rssGrowth(server.child.pid, async () => {
    sockets = await openConnections(server.url, connections);
  });
  const underWay = await rssGrowth(server.child.pid, async () => {
    const head = `POST /todos HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
    for (const socket of sockets) socket.write(head);
  });
  const alive = sockets.filter((socket) => !socket.destroyed).length;
  for (const socket of sockets) socket.destroy();
  if (alive !== connections) throw new Error(`${connections - alive} connections closed during the measure`);
  return {
    idleKb: idle.growth / connections / 1024,
    // Both states at once: what one connection with a request under way costs.
    underWayKb: (idle.growth + underWay.growth) / connections / 1024,
  };
}

/** Bytes of RSS per byte of body held: `bodies` bodies sent but for their last byte. */
async function perBodyByte(server, chunked) {
  let sockets = [];
  const { growth, held } = await rssGrowth(server.child.pid, async () => {
    sockets = await openConnections(server.url, bodies);
    const body = Buffer.alloc(bodyBytes - 1, "a");
    body[0] = "[".charCodeAt(0);
    const framing = chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${bodyBytes}`;
    const head = `POST /todos HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${framing}\r\n\r\n`;
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise((resolve) => {
            socket.write(head);
            // Chunked: one chunk of 64 KiB after another, as a streaming client sends them.
            if (!chunked) return socket.write(body, resolve);
            for (let at = 0; at < body.length; at += 65_536) {
              const piece = body.subarray(at, at + 65_536);
              socket.write(`${piece.length.toString(16)}\r\n`);
              socket.write(piece);
              socket.write("\r\n", at + 65_536 >= body.length ? resolve : undefined);
            }
          }),
      ),
    );
    return bodies * (bodyBytes - 1);
  });
  const alive = sockets.filter((socket) => !socket.destroyed).length;
  for (const socket of sockets) socket.destroy();
  if (alive !== bodies) throw new Error(`${bodies - alive} uploads were refused or closed`);
  return growth / held;
}

const results = { ours: [], raw: [] };
const dataDir = await mkdtemp(path.join(tmpdir(), "anycloud-bench-memory-"));
try {
  for (let run = 0; run < runs; run++) {
    for (const name of ["ours", "raw"]) {
      const measures = {};
      for (const step of ["connections", "Content-Length", "chunked"]) {
        // A fresh server for each step: what one step left in the heap does not blur the next.
        const server = name === "ours" ? await startOurs(dataDir) : await startRaw();
        try {
          if (step === "connections") Object.assign(measures, await perConnection(server));
          else measures[step] = await perBodyByte(server, step === "chunked");
        } finally {
          await server.stop();
        }
      }
      results[name].push(measures);
      console.log(
        `run ${run + 1} ${name.padEnd(4)}: idle ${fmt(measures.idleKb, 1)} KB/connection, under way ${fmt(measures.underWayKb, 1)} KB/connection; ` +
          `bodies held: ${fmt(measures["Content-Length"], 2)} B/B with Content-Length, ${fmt(measures.chunked, 2)} B/B chunked`,
      );
    }
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

console.log(
  `\nmedians of ${runs} runs (${fmt(connections)} connections; ${bodies} bodies of ${fmt(bodyBytes / 1024 / 1024, 1)} MiB):`,
);
const rows = [
  ["idle connection", "idleKb", "KB"],
  ["connection with a request under way", "underWayKb", "KB"],
  ["body byte held, Content-Length", "Content-Length", "B"],
  ["body byte held, chunked", "chunked", "B"],
];
for (const [label, key, unit] of rows) {
  const ours = median(results.ours.map((measures) => measures[key]));
  const raw = median(results.raw.map((measures) => measures[key]));
  console.log(
    `  ${label.padEnd(38)} ours ${fmt(ours, 2).padStart(6)} ${unit}   raw node:http ${fmt(raw, 2).padStart(6)} ${unit}   ${fmt(ours / raw, 2)}x`,
  );
}
