import type { FuzzTarget } from '../engine/target';
import { cpimTarget, imdnTarget, isComposingTarget, pidfTarget, sipContentTarget } from './body-parsers.target';
import { streamParserTarget } from './stream-parser.target';

export const TARGETS: readonly FuzzTarget[] = [streamParserTarget, pidfTarget, isComposingTarget, imdnTarget, cpimTarget, sipContentTarget];
