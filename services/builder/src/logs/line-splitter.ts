import { StringDecoder } from 'node:string_decoder';

/**
 * Cuts a byte stream into lines: UTF-8 characters split across chunks are kept whole, `\r\n` and a
 * bare `\r` (progress bars) end a line, and a line longer than `maxLength` is cut into pieces.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(
    private readonly onLine: (text: string) => void,
    private readonly maxLength = 16 * 1024,
  ) {}

  push(chunk: Buffer | string): void {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let at: number;
    while ((at = this.pending.search(/\r\n|\n|\r/)) >= 0) {
      const end = this.pending[at] === '\r' && this.pending[at + 1] === '\n' ? at + 2 : at + 1;
      // A lone `\r` at the very end may be the first half of `\r\n`: wait for the next chunk.
      if (this.pending[at] === '\r' && at === this.pending.length - 1) break;
      this.emit(this.pending.slice(0, at));
      this.pending = this.pending.slice(end);
    }
    while (this.pending.length > this.maxLength) {
      this.onLine(this.pending.slice(0, this.maxLength));
      this.pending = this.pending.slice(this.maxLength);
    }
  }

  /** Ends the stream: the last line, even without a newline. */
  end(): void {
    this.pending += this.decoder.end();
    const rest = this.pending.replace(/\r$/, '');
    this.pending = '';
    if (rest.length > 0) this.emit(rest);
  }

  private emit(line: string): void {
    for (let i = 0; i < line.length || i === 0; i += this.maxLength)
      this.onLine(line.slice(i, i + this.maxLength));
  }
}
