import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { InvalidCursorError } from "../shared/errors.js";

const MAC_BYTES = 16;

/**
 * Makes a store's position token opaque and tamper-evident for callers: `base64url(token).base64url(mac)`,
 * where the mac is an HMAC-SHA256 (truncated to 128 bits) under a secret only the service knows. A cursor
 * that was altered, forged, or signed under another secret is rejected before it reaches the store.
 *
 * Every instance serving one API must share the secret (set `CURSOR_SECRET`); a random one per process
 * only suits a single process whose cursors need not outlive it.
 */
export class CursorCodec {
  private readonly secret: Uint8Array;

  constructor(secret: string | Uint8Array = randomBytes(32)) {
    this.secret = typeof secret === "string" ? Buffer.from(secret, "utf8") : secret;
    if (this.secret.length < 16) throw new Error("A cursor secret needs at least 16 bytes.");
  }

  encode(token: string): string {
    const payload = Buffer.from(token, "utf8");
    return `${payload.toString("base64url")}.${this.mac(payload).toString("base64url")}`;
  }

  /** Returns the store's token, or throws `InvalidCursorError`. */
  decode(cursor: string): string {
    const dot = cursor.indexOf(".");
    if (dot < 0 || cursor.length > 4096) throw new InvalidCursorError();
    const payloadText = cursor.slice(0, dot);
    const macText = cursor.slice(dot + 1);
    const payload = Buffer.from(payloadText, "base64url");
    const mac = Buffer.from(macText, "base64url");
    // Node's decoder skips characters outside the alphabet and a last character's unused bits, so that
    // `…Rg`, `…Rh` and `…Rg==` decode alike. Only the exact text this codec writes is accepted: a cursor
    // changed in any character is refused, not just one whose bytes changed.
    if (payload.toString("base64url") !== payloadText || mac.toString("base64url") !== macText) {
      throw new InvalidCursorError();
    }
    if (mac.length !== MAC_BYTES) throw new InvalidCursorError();
    if (!timingSafeEqual(mac, this.mac(payload))) throw new InvalidCursorError();
    return payload.toString("utf8");
  }

  private mac(payload: Uint8Array): Buffer {
    return createHmac("sha256", this.secret).update(payload).digest().subarray(0, MAC_BYTES);
  }
}
