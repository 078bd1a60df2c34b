/**
 * The operator suites' lab: the native lab (lab/native, the gateway run by the CLI's
 * start on lab/gateway.yaml) with a free admin port, its log in the lab's run
 * directory, and romeo@xmpp.lab logged in.
 */
import * as path from 'node:path';
import { connectLabUser, startNativeLab, type NativeLab } from '../../lab/native/native-lab';
import { allocatePort } from '../harness/local-ports';
import type { LabClient } from '../harness/xmpp-client';
import { labRunDir } from '../harness/xmpp-peers';

export interface OperationsLab {
  readonly lab: NativeLab;
  readonly romeo: LabClient;
  readonly logFile: string;
  stop(): Promise<void>;
}

export async function startOperationsLab(label: string, o: { readonly adminToken?: string } = {}): Promise<OperationsLab> {
  const logFile = path.join(labRunDir(), `${label}-${Date.now()}.log`);
  const lab = await startNativeLab({ logFile, adminPort: await allocatePort({ from: 19460, to: 19499 }, ['tcp']), ...o });
  try {
    const romeo = await connectLabUser(lab);
    return { lab, romeo, logFile, stop: async () => { await romeo.stop(); await lab.stop(); } };
  } catch (e) {
    await lab.stop();
    throw e;
  }
}
