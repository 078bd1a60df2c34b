/** A fuzz target: what it feeds, and the property that must hold for every input. */
export interface FuzzTarget {
  readonly name: string;
  /** Inputs to start from (real-world examples); the committed corpus adds to them. */
  readonly seeds: readonly string[];
  readonly dictionary: readonly string[];
  /** Inputs are cut to this size (the parsers' own limits are far below it). */
  readonly maxBytes: number;
  /**
   * Runs one input. Returning is success; throwing is a finding: a parser threw instead
   * of returning its error, or a stated property (split invariance, round trip) broke.
   */
  run(input: Buffer): void;
}

/** A finding with the input that caused it. */
export class PropertyViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PropertyViolation';
  }
}
