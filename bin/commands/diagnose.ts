/** `diagnose` (issue #9): placeholder until it is built; see args.ts for its options. */
import type { DiagnoseCommand } from '../args';
import { EXIT_STEP_FAILED, type CommandContext } from './command-context';

export async function runDiagnose(_cmd: DiagnoseCommand, ctx: CommandContext): Promise<number> {
  ctx.stderr.write('diagnose: not implemented yet\n');
  return EXIT_STEP_FAILED;
}
