// The server's guards against slow and numerous clients, unless told otherwise: here, apart from the server, so that
// the configuration (which the CLI reads too) takes them without loading node:http.

/**
 * 500 bytes a second (4 kbit/s), the MinRate of Apache's mod_reqtimeout (`RequestReadTimeout body=20,MinRate=500`
 * by default). No honest client comes near it: GPRS, the slowest mobile data still in service, sends 9 kbit/s on
 * one timeslot at its most robust coding (CS-1), twice this; it is counted only while the server waits for the
 * client, never while an import writes what it read; and the first 60 s of waiting are free, so a slow start or
 * a stall of a few seconds now and then (a handover) is absorbed. A client that sends a byte every 59 s, which the
 * idle rule lets through, is cut after about 60 s of waiting; to hold an import slot for an hour a client must
 * send 1.8 MB.
 */
export const DEFAULT_BODY_MIN_RATE = 500;

/**
 * The most connections the server keeps open at once, unless told. Node closes one more as soon as it is
 * accepted, before a byte of it is read. Each open connection costs memory and a file descriptor: without a cap
 * only the descriptor limit stopped them, and 15,000 idle connections took the server from 79 MB to 177 MB
 * (6.5-9 KB each; 14 KB with a request under way), measured; past the limit, the process could open no file or
 * socket of its own either (DynamoDB's). 1,000 is far over what one process of this server serves at once (a
 * browser opens at most 6 connections to a host, a proxy in front reuses its own), and under the 4,096
 * descriptors a process may open where the limit is lowest (Linux's default hard limit; node raises its soft
 * limit, often 1,024, to it at start).
 */
export const DEFAULT_MAX_CONNECTIONS = 1_000;
