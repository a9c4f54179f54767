/**
 * Where the CLI writes: stdout for results (human-readable, or JSON with `--json`), stderr for
 * warnings and errors. Abstract class, so it is also the DI token: specs capture the output.
 */
export abstract class CliOutput {
  /** Raw text to stdout. */
  abstract write(text: string): void;
  /** Raw text to stderr. */
  abstract writeError(text: string): void;

  line(text = ''): void {
    this.write(`${text}\n`);
  }

  lines(texts: readonly string[]): void {
    for (const text of texts) this.line(text);
  }

  json(value: unknown): void {
    this.line(JSON.stringify(value, null, 2));
  }

  warn(text: string): void {
    this.writeError(`${text}\n`);
  }
}

export class ProcessOutput extends CliOutput {
  write(text: string): void {
    process.stdout.write(text);
  }

  writeError(text: string): void {
    process.stderr.write(text);
  }
}
