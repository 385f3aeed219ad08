import { randomUUID } from "node:crypto";

/** Makes ids for new todos (random UUIDs). Imported todos get derived ids instead (`deriveTodoId`). */
export interface IdGenerator {
  newId(): string;
}

export const ID_GENERATOR = Symbol.for("anycloud.IdGenerator");

export const randomIds: IdGenerator = { newId: () => randomUUID() };
