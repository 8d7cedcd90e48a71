/**
 * What `ragd` exits with (docs/cli.md): 0 done; 1 a usage error (bad arguments, or the server
 * refused the input with 400); 2 the server answered with another error (or some files of an
 * index run failed); 3 not found (collection, document, backup, route); 4 the server could not be
 * reached; 130 stopped by Ctrl-C.
 */
export const EXIT = {
  ok: 0,
  usage: 1,
  server: 2,
  notFound: 3,
  unreachable: 4,
  /** Stopped by Ctrl-C (a pull). */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends the command with its message and exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** The server's error code, when the server said it. */
    readonly code?: string,
  ) {
    super(message);
  }
}

export function exitCodeForStatus(status: number): ExitCode {
  if (status === 404) return EXIT.notFound;
  if (status === 400) return EXIT.usage;
  return EXIT.server;
}
