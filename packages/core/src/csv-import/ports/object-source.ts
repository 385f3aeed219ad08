import { AppError } from "../../shared/errors.js";

/**
 * Names one object in object storage: an S3 bucket + key, an Azure container + blob name, a GCS bucket +
 * object name. `version` pins the exact content when the event knows it (S3 `versionId` or `eTag`, Azure
 * blob `ETag`, GCS `generation`); an import's identity, and so its todos' ids, derive from it.
 */
export interface ObjectRef {
  container: string;
  key: string;
  version?: string;
  /**
   * A digest of the content, when `version` names a request rather than content (an upload's
   * `Idempotency-Key`): the same ref with another fingerprint is not a repeat, and is refused. It does not
   * enter the import's id.
   */
  fingerprint?: string;
}

export interface OpenedObject {
  /** The bytes, streamed: consumers pull, so memory stays flat whatever the object's size. */
  body: AsyncIterable<Uint8Array>;
  size?: number;
  contentType?: string;
  /** The version the store served, when the ref did not pin one. */
  version?: string;
}

/**
 * There is no such object, or not in the version asked for (it was overwritten or deleted since its event):
 * nothing to import, and retrying will not change that.
 */
export class ObjectNotFoundError extends AppError {
  override readonly name: string = "ObjectNotFoundError";
  readonly code = "OBJECT_NOT_FOUND";

  constructor(
    readonly ref: ObjectRef,
    options?: { cause?: unknown },
  ) {
    super(
      `No object ${ref.container}/${ref.key}${ref.version ? ` at version ${ref.version}` : ""}.`,
      options,
    );
  }
}

/**
 * Opens objects for reading. Implemented by S3 and the local file system (Blob storage and Cloud Storage to
 * come).
 */
export interface ObjectSource {
  /**
   * Throws `ObjectNotFoundError` when there is no such object (or version). With `signal`, gives up when it aborts
   * (an import stopped before its object's store answered: a Lambda time limit, a Ctrl-C).
   */
  open(ref: ObjectRef, options?: { signal?: AbortSignal }): Promise<OpenedObject>;
}

export const OBJECT_SOURCE = Symbol.for("anycloud.ObjectSource");
