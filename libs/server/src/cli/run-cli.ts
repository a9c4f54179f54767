import { CommandFactory, CommandRunnerService } from 'nest-commander';
import { CliOutput, ProcessOutput } from './cli-output';
import { CliModule } from './cli.module';
import { CommanderTree, isCommanderExit } from './commander-tree';

export const CLI_NAME = 'identity';

/**
 * Runs one command line (`argv` as process.argv: node, script, then the arguments) and resolves
 * to the exit code. Any failure, at start-up (bad configuration, unreachable database) or in the
 * command, is one line on stderr and a non-zero code; usage errors are commander's own message.
 */
export async function runCli(
  argv: readonly string[],
  output: CliOutput = new ProcessOutput(),
): Promise<number> {
  let failure: unknown;
  let app;
  try {
    app = await CommandFactory.createWithoutRunning(CliModule.forRoot({ output }), {
      logger: false,
      abortOnError: false,
      cliName: CLI_NAME,
      serviceErrorHandler: (error) => {
        failure = error;
      },
    });
  } catch (error) {
    output.warn(`${CLI_NAME}: ${describe(error)}`);
    return 1;
  }
  try {
    app.get(CommanderTree).configure(CLI_NAME);
    await app.get(CommandRunnerService).run([...argv]);
  } finally {
    await app.close();
  }
  if (failure === undefined) return 0;
  if (isCommanderExit(failure)) return failure.exitCode;
  output.warn(`${CLI_NAME}: ${describe(failure)}`);
  return 1;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
