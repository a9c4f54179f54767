import { SerialQueue } from './serial-queue';

/** A promise and the functions that settle it, for tasks the spec finishes by hand. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SerialQueue', () => {
  it('runs tasks in the order they were queued, each after the previous one settled', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const first = deferred();
    const one = queue.run(async () => {
      log.push('first started');
      await first.promise;
      log.push('first ended');
    });
    const two = queue.run(() => log.push('second ran'));
    const three = queue.run(() => Promise.resolve(log.push('third ran')));

    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['first started']); // the second waits for the first
    first.resolve();
    await Promise.all([one, two, three]);
    expect(log).toEqual(['first started', 'first ended', 'second ran', 'third ran']);
  });

  it("returns each task's result to its own caller", async () => {
    const queue = new SerialQueue();
    const results = await Promise.all([
      queue.run(() => 1),
      queue.run(() => Promise.resolve('two')),
      queue.run(() => ({ three: 3 })),
    ]);
    expect(results).toEqual([1, 'two', { three: 3 }]);
  });

  it('rejects the caller of a failing task, and still runs the tasks queued after it', async () => {
    const queue = new SerialQueue();
    const failing = queue.run(() => Promise.reject(new Error('task failed')));
    const throwing = queue.run(() => {
      throw new Error('task threw');
    });
    const next = queue.run(() => 'ran anyway');

    const [failed, threw, ran] = await Promise.allSettled([failing, throwing, next]);
    expect(failed).toEqual({ status: 'rejected', reason: new Error('task failed') });
    expect(threw).toEqual({ status: 'rejected', reason: new Error('task threw') });
    expect(ran).toEqual({ status: 'fulfilled', value: 'ran anyway' });
  });

  it('does not start a task before the one ahead of it has failed', async () => {
    const queue = new SerialQueue();
    const first = deferred();
    let secondStarted = false;
    const one = queue.run(() => first.promise);
    const two = queue.run(() => {
      secondStarted = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(secondStarted).toBe(false);
    first.reject(new Error('late failure'));
    await expect(one).rejects.toThrow('late failure');
    await two;
    expect(secondStarted).toBe(true);
  });

  it('settled() waits for every task queued so far, and resolves even when one failed', async () => {
    const queue = new SerialQueue();
    const gate = deferred();
    let done = false;
    void queue.run(() => gate.promise).catch(() => undefined);
    void queue.run(() => {
      done = true;
    });
    const settled = queue.settled();
    gate.reject(new Error('failed'));
    await expect(settled).resolves.toBeUndefined();
    expect(done).toBe(true);
  });
});
