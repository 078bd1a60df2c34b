/** `status` (issue #9): placeholder. */
import { EXIT_STEP_FAILED, type CommandContext } from './command-context';

export async function runStatus(_cmd: { readonly json: boolean }, ctx: CommandContext): Promise<number> {
  ctx.stderr.write('status: not implemented yet\n');
  return EXIT_STEP_FAILED;
}
