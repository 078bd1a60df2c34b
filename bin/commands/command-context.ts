/** What every operator command (bin/commands/*) gets from the CLI: where to write, and the validated configuration. */
import type { Env, LoadedConfig } from '../../config/load';

export interface CommandContext {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  readonly env?: Env;
  /** The configuration file (partners edits it in place). */
  readonly file: string;
  readonly loaded: LoadedConfig;
}

/** A step failed (test-im, diagnose) or no running gateway answered (status). */
export const EXIT_STEP_FAILED = 4;
