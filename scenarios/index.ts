// The scenario catalogue, in teaching order (docs/teachers-guide.md walks through it).

import type { Scenario } from './types.ts';
import { fivePhases } from './catalog/five-phases.ts';
import { passwordLogin } from './catalog/password-login.ts';
import { publickeyLogin } from './catalog/publickey-login.ts';
import { sshKeygen } from './catalog/ssh-keygen.ts';
import { copyIdFirstLogin } from './catalog/copy-id-first-login.ts';
import { mutualTrust } from './catalog/mutual-trust.ts';
import { hostKeyChanged } from './catalog/host-key-changed.ts';
import { authFailures } from './catalog/auth-failures.ts';
import { execVsShell } from './catalog/exec-vs-shell.ts';
import { negotiation } from './catalog/negotiation.ts';
import { noCommonAlgorithm } from './catalog/no-common-algorithm.ts';
import { tampering } from './catalog/tampering.ts';
import { passwordVsPublickey } from './catalog/password-vs-publickey.ts';
import { insideKeyExchange } from './catalog/inside-key-exchange.ts';
import { terrapin } from './catalog/terrapin.ts';
import { portForwarding } from './catalog/port-forwarding.ts';

export const SCENARIOS: readonly Scenario[] = [
  fivePhases,
  passwordLogin,
  publickeyLogin,
  passwordVsPublickey,
  sshKeygen,
  copyIdFirstLogin,
  mutualTrust,
  hostKeyChanged,
  authFailures,
  execVsShell,
  negotiation,
  noCommonAlgorithm,
  insideKeyExchange,
  tampering,
  terrapin,
  portForwarding,
];

export function findScenario(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id);
}

export { runScenario } from './runner.ts';
export type { ScenarioRun, ScenarioEvent, ScenarioOutcome, StepResult, TrustCell, ConnectionInfo } from './runner.ts';
export type { Scenario, Step, Text, Lang } from './types.ts';
