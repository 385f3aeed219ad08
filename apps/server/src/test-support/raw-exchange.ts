import { once } from "node:events";
import { connect } from "node:net";

/**
 * Sends `text` as it is on a connection of its own to 127.0.0.1:`port`; resolves with everything the server
 * answered once it closes the connection. For requests no HTTP client would send. `end`: the client ends its side
 * once `text` is sent.
 */
export async function rawExchange(port: number, text: string, { end = false } = {}): Promise<string> {
  const socket = connect(port, "127.0.0.1");
  socket.setEncoding("utf8");
  let answer = "";
  socket.on("data", (chunk: string) => {
    answer += chunk;
  });
  socket.on("error", () => {});
  if (end) socket.end(text);
  else socket.write(text);
  await once(socket, "close");
  return answer;
}
