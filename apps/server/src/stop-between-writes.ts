/**
 * Ctrl-Z (SIGTSTP) stops a process wherever it is, and a process writing to SQLite spends much of its time between
 * a `BEGIN IMMEDIATE` and its `COMMIT`: a `todo import` stopped there (3 to 6 stops of 8 in tests) kept the database's
 * write lock until `fg`, and every write of the server beside it failed 503 after its 5 s busy timeout, as did the
 * server stopped so for another process's writes. A write transaction runs synchronously, and a signal's listener
 * runs on the event loop, so never inside one: stopped from the listener, the process holds no lock.
 *
 * The listener stops the process the default way, with SIGTSTP and no listener for it, so that the shell reports
 * it stopped as ever, and a process no shell could resume (in an orphaned process group, whose SIGTSTP POSIX has
 * discarded) is not stopped at all; it listens again once continued. Not on Windows: no SIGTSTP, no job control.
 */
export function stopBetweenWrites(): void {
  if (process.platform === "win32") return;
  const stop = () => {
    process.off("SIGTSTP", stop);
    // The signal is delivered before kill() returns: the process stops here, and goes on from here on SIGCONT.
    process.kill(process.pid, "SIGTSTP");
    process.on("SIGTSTP", stop);
  };
  process.on("SIGTSTP", stop);
}
