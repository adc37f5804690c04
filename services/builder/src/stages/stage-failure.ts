/** A stage attempt that ends FAILED, with what the user needs to know and whether a retry may help. */
export class StageFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly options: {
      retryable?: boolean;
      outputs?: Record<string, unknown>;
      details?: Record<string, unknown>;
    } = {},
  ) {
    super(message);
    this.name = 'StageFailure';
  }
}
