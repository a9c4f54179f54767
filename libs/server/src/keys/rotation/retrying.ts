import { Logger } from '@nestjs/common';
import { LostRace } from '../repository/lost-race';

/** Writes that lose a race (another replica created the same generation) are re-planned. */
export const MAX_ATTEMPTS = 5;

const logger = new Logger('SigningKeys');

/**
 * Runs `attempt` (read, plan, write) again when it lost a race to another replica (or process,
 * on SQLite), after a short random pause; up to MAX_ATTEMPTS, then the last LostRace is thrown.
 */
export async function retrying<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= MAX_ATTEMPTS || !(error instanceof LostRace)) throw error;
      logger.debug(`another replica changed the signing keys first; re-reading`);
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40 * tries));
    }
  }
}
