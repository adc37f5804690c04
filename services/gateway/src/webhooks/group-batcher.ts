/**
 * Runs many small requests as few batches, the way a database groups commits: a request made while
 * no batch is running starts one at once (no added latency when idle); requests made while one runs
 * wait and go together in the next. Under load, batches grow to what arrived during the last one.
 */
export class GroupBatcher<I, O> {
  private queue: Array<{ input: I; resolve: (output: O) => void; reject: (error: unknown) => void }> = [];
  private running = false;

  constructor(
    /** Answers the inputs in order: `outputs[i]` belongs to `inputs[i]`. */
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly maxBatch = 500,
  ) {}

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const outputs = await this.run(batch.map((item) => item.input));
        batch.forEach((item, index) => item.resolve(outputs[index]!));
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    this.running = false;
  }
}
