import { startBanner } from './banner.js';
import { startStandalone, type Standalone } from './standalone.js';

/** Aviary in one process until Ctrl-C (or SIGTERM): what main.js loads once the heap is sized. */
let standalone: Standalone;
try {
  standalone = await startStandalone();
} catch (error) {
  process.stderr.write(`aviary failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
process.stdout.write(startBanner(standalone));

let stopping = false;
const stop = () => {
  if (stopping) {
    process.stderr.write('stopping now\n');
    process.exit(1);
  }
  stopping = true;
  process.stdout.write('\nstopping: finishing in-flight work (Ctrl-C again to stop at once)\n');
  standalone.close().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`stop failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
