// The machine is shared: other processes (or the hypervisor) may take CPU during a run. These
// measure how much, so that a disturbed run is repeated instead of counted.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { machineCpuSeconds } from './processes.mjs';

/** Cores' worth of CPU taken by others beyond which a run counts as disturbed. */
export const DISTURBED = 0.15;
/** A disturbed counted run is repeated at most this many times. */
export const MAX_REPEATS = 3;

/**
 * Cores' worth of CPU that other processes used, and that the hypervisor stole, over `ms`;
 * `ownCpuSeconds` gives the CPU seconds used so far by our own processes.
 */
export async function backgroundOver(ms, ownCpuSeconds) {
  const machineBefore = machineCpuSeconds();
  const ownBefore = ownCpuSeconds();
  const start = performance.now();
  await sleep(ms);
  const wall = (performance.now() - start) / 1000;
  const machineAfter = machineCpuSeconds();
  const ownAfter = ownCpuSeconds();
  if (!machineBefore || !machineAfter || ownBefore === undefined || ownAfter === undefined) {
    return 0;
  }
  const others = machineAfter.busy - machineBefore.busy - (ownAfter - ownBefore);
  return Math.max(0, others / wall) + (machineAfter.steal - machineBefore.steal) / wall;
}

/**
 * Waits (at most `maxWaitMs`) until other processes leave the CPUs alone for a second; returns
 * the background load last seen. `log` is told once when it has to wait.
 */
export async function waitForQuiet(ownCpuSeconds, log, maxWaitMs = 60_000) {
  const deadline = Date.now() + maxWaitMs;
  let told = false;
  for (;;) {
    const background = await backgroundOver(1000, ownCpuSeconds);
    if (background <= DISTURBED || Date.now() >= deadline) return background;
    if (!told) log(`other processes use ${background.toFixed(2)} of a core: waiting for quiet`);
    told = true;
  }
}

/** CPU seconds this process has used. */
export function processCpuSeconds() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
