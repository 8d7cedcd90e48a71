/**
 * Where a command's results go: JSON on stdout with --json (one document, for scripts), else text
 * for people; notes and progress on stderr either way, so stdout stays parseable.
 */
export class CliOutput {
  constructor(readonly json: boolean) {}

  /** The command's result: `value` as JSON, or the text `human` makes of it. */
  result(value: unknown, human: () => string): void {
    process.stdout.write(this.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
  }

  /** A note for people (stderr, also with --json), not part of the result. */
  note(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  /** Text written as it comes (a streamed answer), people only. */
  write(text: string): void {
    if (!this.json) process.stdout.write(text);
  }
}
