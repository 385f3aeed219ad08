// Types for the two pure-JS stand-ins, which ship none: only what this folder uses.

declare module "dynalite" {
  import type { Server } from "node:http";

  interface DynaliteOptions {
    /** How long tables stay CREATING / DELETING / UPDATING; 0 makes them ACTIVE at once. */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    /** A LevelDB directory; in memory when absent. */
    path?: string;
  }

  export default function dynalite(options?: DynaliteOptions): Server;
}

declare module "s3rver" {
  import type { EventEmitter } from "node:events";
  import type { AddressInfo } from "node:net";
  import type { S3Event } from "aws-lambda";

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    configureBuckets?: { name: string }[];
  }

  /** The Koa context, as far as an added middleware reads and writes it. */
  interface KoaContext {
    method: string;
    status: number;
    body: unknown;
    type: string;
    get(header: string): string;
    remove(header: string): void;
    response: { get(header: string): string };
    /** Node's request, whose headers s3rver's own middleware reads. */
    req: { headers: Record<string, string | string[] | undefined> };
  }

  type Middleware = (context: KoaContext, next: () => Promise<void>) => Promise<void>;

  export default class S3rver extends EventEmitter {
    constructor(options?: S3rverOptions);
    /** Koa's middleware list, composed when the server starts listening. */
    middleware: Middleware[];
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    on(event: "event", listener: (event: S3Event) => void): this;
  }
}
