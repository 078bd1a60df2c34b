/** `partners` (issue #9): placeholder. */
import type { PartnersCommand } from '../args';
import { EXIT_STEP_FAILED, type CommandContext } from './command-context';

export async function runPartners(_cmd: PartnersCommand, ctx: CommandContext): Promise<number> {
  ctx.stderr.write('partners: not implemented yet\n');
  return EXIT_STEP_FAILED;
}
