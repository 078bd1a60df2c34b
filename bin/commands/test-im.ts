/** `test-im` (issue #9): placeholder until it is built; see args.ts for its options. */
import type { TestImCommand } from '../args';
import { EXIT_STEP_FAILED, type CommandContext } from './command-context';

export async function runTestIm(_cmd: TestImCommand, ctx: CommandContext): Promise<number> {
  ctx.stderr.write('test-im: not implemented yet\n');
  return EXIT_STEP_FAILED;
}
