import { appLogLines, appLogs, leaksOf, secretsUsed } from './secrecy';

/**
 * After every e2e spec has finished (whatever their order, whatever the number of workers): no
 * secret or token that any spec of the run sent or received appears in any app log of the run.
 * The log-secrecy spec checks the same for its own verbose run; this covers everything else the
 * specs exercised (DPoP proofs, client assertions, reference tokens, admin secrets…).
 */
export default function noSecretInAnyLogOfTheRun(): void {
  const leaks = leaksOf(secretsUsed(), appLogLines(appLogs()));
  if (leaks.length > 0) {
    throw new Error(`secrets or tokens in the app logs of this e2e run:\n${leaks.join('\n')}`);
  }
}
