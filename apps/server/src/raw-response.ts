import { type OutgoingHttpHeaders, STATUS_CODES } from "node:http";
import type { Reply } from "@anycloud/core";

/** A complete reply's headers as node writes them, with the body's length. */
export function replyHeaders(reply: Reply): OutgoingHttpHeaders {
  return { ...reply.headers, "content-length": reply.body === undefined ? 0 : byteLengthOf(reply.body) };
}

/** A complete reply as HTTP/1.1 bytes, for a socket node no longer serves; the connection then closes. */
export function rawResponseOf(reply: Reply): Buffer {
  const lines = [`HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status]}`];
  for (const [name, value] of Object.entries(replyHeaders(reply))) lines.push(`${name}: ${value}`);
  lines.push("connection: close", "", "");
  const head = Buffer.from(lines.join("\r\n"), "latin1");
  return reply.body === undefined ? head : Buffer.concat([head, Buffer.from(reply.body)]);
}

export function byteLengthOf(body: string | Uint8Array): number {
  return typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
}
