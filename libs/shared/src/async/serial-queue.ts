/**
 * Runs tasks one after another, in the order they were queued. Each caller gets its own task's
 * result or rejection; a task that fails does not stop the ones queued after it.
 */
export class SerialQueue {
  /** The last task queued, settled either way: the next one starts after it. */
  private tail: Promise<unknown> = Promise.resolve();

  /** Queues `task`; it starts once every task queued before it has settled. */
  run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far has settled (never rejects). */
  async settled(): Promise<void> {
    await this.tail;
  }
}
