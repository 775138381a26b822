import { z } from 'zod';
import type { EventLog } from '../local/state-machine';
import type { ExportFile } from './export-files';
import type { PreparedFile } from './prepare';

/** What the Load state leaves in its iteration's state (ResultPath $.load). */
const loadOutputSchema = z.looseObject({ load: z.looseObject({ rows: z.number() }) });
const failedStepSchema = z.looseObject({ Error: z.string().optional() });

const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;
const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;

/**
 * The console lines of an import as it goes: files checked and uploaded, then archived and
 * imported (plays so far, time left), whether the state machine runs here or on AWS.
 */
export class ImportProgress {
  private readonly started = Date.now();
  private readonly total: number;
  private uploadedCount = 0;
  private archived = 0;
  private imported = 0;
  private plays = 0;
  private importStarted: number | undefined;

  constructor(
    private readonly files: readonly ExportFile[],
    private readonly print: (line: string) => void,
  ) {
    this.total = files.length;
  }

  start(what: string): void {
    const bytes = this.files.reduce((sum, file) => sum + file.bytes, 0);
    this.print(`Checking ${this.total} file${this.total === 1 ? '' : 's'} (${mb(bytes)}) of ${what}`);
  }

  checked(file: PreparedFile): void {
    const dropped = [
      file.dropped.invalid > 0 ? `${file.dropped.invalid} malformed` : '',
      file.dropped.incognito > 0 ? `${file.dropped.incognito} private-session plays left out` : '',
    ].filter(Boolean);
    this.print(
      `  ✔ ${file.name}: ${file.plays} plays of ${file.elements} elements${dropped.length > 0 ? ` (${dropped.join(', ')})` : ''}`,
    );
  }

  uploaded(file: PreparedFile): void {
    this.uploadedCount += 1;
    this.print(
      `  ↑ uploaded ${this.uploadedCount}/${this.total} ${file.name} (${mb(Buffer.byteLength(file.body))})`,
    );
  }

  /** Time left, from the pace of the files imported so far. */
  private timeLeft(): string {
    if (this.importStarted === undefined || this.imported === 0) return '';
    const perFile = (Date.now() - this.importStarted) / this.imported;
    return `, about ${seconds(perFile * (this.total - this.imported))} left`;
  }

  /** A local execution's events: ImportFile archives a file, its Load publishes it. */
  event(event: EventLog): void {
    if (event.type === 'StateEntered' && event.state.name === 'ImportFile') this.importStarted ??= Date.now();
    if (event.type === 'StateExited' && event.state.name === 'ImportFile') {
      this.archived += 1;
      this.print(`  ▶ checked and archived ${this.archived}/${this.total} files`);
    }
    if (event.type === 'StateExited' && event.state.name === 'Load') {
      const output = loadOutputSchema.safeParse(event.state.output);
      this.imported += 1;
      if (output.success) this.plays += output.data.load.rows;
      this.print(
        `  ▶ imported ${this.imported}/${this.total} files, ${this.plays} plays so far${this.timeLeft()}`,
      );
    }
    if (event.type === 'StateFailed' && (event.state.name === 'ImportFile' || event.state.name === 'Load')) {
      const failed = failedStepSchema.safeParse(event);
      this.print(`  ✖ ${event.state.name} failed: ${failed.success ? (failed.data.Error ?? '') : ''}`);
    }
  }

  /** A deployed execution, polled: files archived so far (ImportFile writes one raw object each). */
  polled(status: string, archivedFiles: number): void {
    this.print(
      `  … ${status.toLowerCase()} for ${seconds(Date.now() - this.started)}: ${archivedFiles}/${this.total} files checked and archived`,
    );
  }
}
