import type { BinaryTest } from "./response-body.js";

/** The handler's options, resolved once when the handler is built. */
export interface HandlerSettings {
  /** Normalised (`/api`), or undefined for none. */
  basePath: string | undefined;
  isBinary: BinaryTest;
}
