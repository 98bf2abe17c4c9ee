/**
 * The engine's view of a client connection on a hijacked stream (attach, exec start).
 * The API implements it over the socket and frames output when there is no TTY.
 */
export interface ClientStream {
  /** Output for the client: 1 = stdout, 2 = stderr. */
  write(stream: 1 | 2, data: Buffer): void;
  /** Ends the output side (the client then sees EOF). */
  end(): void;
  /** Data the client sends (stdin). */
  onInput(cb: (data: Buffer) => void): void;
  /** The client half-closed its side: stdin EOF. */
  onInputEnd(cb: () => void): void;
  /** The connection is gone. */
  onClose(cb: () => void): void;
}
