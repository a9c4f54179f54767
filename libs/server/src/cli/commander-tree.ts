import { Injectable } from '@nestjs/common';
import { InjectCommander, type CommandRunner } from 'nest-commander';
import { CliOutput } from './cli-output';

/** commander's Command, as nest-commander's own copy of commander types it. */
export type Commander = Parameters<CommandRunner['setCommand']>[0];

/**
 * The tree of commander commands nest-commander built from the command classes. Configured once
 * built: every command writes through CliOutput, refuses arguments it does not take, and throws
 * instead of calling process.exit, so the CLI closes its database before it exits (and specs
 * can run it in-process).
 */
@Injectable()
export class CommanderTree {
  constructor(
    @InjectCommander() private readonly root: Commander,
    private readonly output: CliOutput,
  ) {}

  configure(name: string): void {
    this.root.name(name);
    const visit = (command: Commander) => {
      command
        .exitOverride((error) => {
          throw error;
        })
        .configureOutput({
          writeOut: (text) => this.output.write(text),
          writeErr: (text) => this.output.writeError(text),
        });
      // A group's extra argument is an unknown subcommand, which the group itself reports.
      if (command.commands.length === 0) command.allowExcessArguments(false);
      command.commands.forEach(visit);
    };
    visit(this.root);
  }
}

/** What commander throws (through exitOverride) after it has printed its own message. */
export function isCommanderExit(error: unknown): error is Error & { exitCode: number } {
  if (!(error instanceof Error)) return false;
  const { code, exitCode } = error as Error & { code?: unknown; exitCode?: unknown };
  return typeof code === 'string' && code.startsWith('commander.') && typeof exitCode === 'number';
}

/**
 * Thrown by an option parser: commander prints "option '--x <y>' argument 'z' is invalid." and
 * this message, then exits 1.
 */
export class InvalidOptionArgument extends Error {
  readonly code = 'commander.invalidArgument';
  readonly exitCode = 1;
}
