// Writes a CSV of `rows` todos (task,name,dueDate,checked) to `file`, streamed, if it is not there yet.

import { once } from "node:events";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import path from "node:path";

export async function generateCsv(file, rows) {
  if (existsSync(file)) return file;
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  out.write("task,name,dueDate,checked\n");
  for (let row = 1; row <= rows; row++) {
    const day = String((row % 28) + 1).padStart(2, "0");
    const line = `"Task number ${row}, from the generator",Person ${row % 1000},${day}-11-2026,${row % 3 === 0}\n`;
    if (!out.write(line)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  const { rename } = await import("node:fs/promises");
  await rename(partial, file);
  return file;
}
