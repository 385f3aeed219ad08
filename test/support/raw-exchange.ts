import { once } from "node:events";
import { connect } from "node:net";

/**
 * Sends `text` as it is (its parts one write each) on a connection of its own to 127.0.0.1:`port`; resolves with
 * everything the server answered once it closes the connection. For requests no HTTP client would send. `end`:
 * the client ends its side once `text` is sent.
 */
export async function rawExchange(
  port: number,
  text: string | readonly Buffer[],
  { end = false } = {},
): Promise<string> {
  const socket = connect(port, "127.0.0.1");
  socket.setEncoding("utf8");
  let answer = "";
  socket.on("data", (chunk: string) => {
    answer += chunk;
  });
  socket.on("error", () => {});
  for (const part of [text].flat()) socket.write(part);
  if (end) socket.end();
  await once(socket, "close");
  return answer;
}
