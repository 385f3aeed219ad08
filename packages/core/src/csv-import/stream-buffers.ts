/**
 * The bytes each byte stream of an import's pipeline holds before it pushes back: Node 20's default, pinned
 * because Node 22 raised the default to 64 KiB. An import then reads as far ahead of what it has parsed (three
 * such buffers between the body and the parser) on every Node line: the Lambda runtime's 22 as the server's 20.
 */
export const STREAM_BUFFER_BYTES = 16 * 1024;
