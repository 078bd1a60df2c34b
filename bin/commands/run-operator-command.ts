/** Dispatch of the operator commands (issue #9); each lives in its own file. */
import type { DiagnoseCommand, PartnersCommand, TestImCommand } from '../args';
import type { CommandContext } from './command-context';
import { runDiagnose } from './diagnose';
import { runPartners } from './partners';
import { runStatus } from './status';
import { runTestIm } from './test-im';

export type OperatorCommand = PartnersCommand | TestImCommand | DiagnoseCommand | { readonly kind: 'status'; readonly json: boolean };

export function runOperatorCommand(cmd: OperatorCommand, ctx: CommandContext): Promise<number> {
  switch (cmd.kind) {
    case 'partners': return runPartners(cmd, ctx);
    case 'status': return runStatus(cmd, ctx);
    case 'test-im': return runTestIm(cmd, ctx);
    case 'diagnose': return runDiagnose(cmd, ctx);
  }
}
