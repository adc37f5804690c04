/**
 * An async iterable fed by pushes: what a transport's callbacks turn into for `for await`. `close()`
 * ends it for the reader (and runs `onClose` once, which stops the source); `fail()` ends it with an
 * error the reader's loop throws.
 */
export class Channel<T> implements AsyncIterable<T> {
  private readonly queue: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private rejectWaiting: ((error: Error) => void) | undefined;
  private ended = false;
  private error: Error | undefined;

  constructor(private readonly onClose: () => void = () => undefined) {}

  push(value: T): void {
    if (this.ended) return;
    const waiting = this.waiting;
    if (waiting) {
      this.clearWaiting();
      waiting({ value, done: false });
    } else this.queue.push(value);
  }

  fail(error: Error): void {
    if (this.ended) return;
    this.error = error;
    this.finish();
    const reject = this.rejectWaiting;
    this.clearWaiting();
    reject?.(error);
  }

  close(): void {
    if (this.ended) return;
    this.finish();
    const waiting = this.waiting;
    this.clearWaiting();
    waiting?.({ value: undefined, done: true });
  }

  get closed(): boolean {
    return this.ended;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
        if (this.error) return Promise.reject(this.error);
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise<IteratorResult<T>>((resolve, reject) => {
          this.waiting = resolve;
          this.rejectWaiting = reject;
        });
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private finish(): void {
    this.ended = true;
    this.queue.length = 0;
    this.onClose();
  }

  private clearWaiting(): void {
    this.waiting = undefined;
    this.rejectWaiting = undefined;
  }
}
