// The peer's side of the policy benchmark: @cloud-copilot/iam-simulate's
// runUnsafeSimulation on the same policies and requests as bench/policy_bench.c
// (bench/policy_case.json), single thread, decisions per second.
import { readFileSync } from 'node:fs';
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';

const c = JSON.parse(readFileSync(process.argv[2] ?? 'bench/policy_case.json', 'utf8'));
for (const r of c.requests) {
  const simulation = {
    request: {
      principal: r.principal,
      action: r.action,
      resource: { resource: r.resource, accountId: '111122223333' },
      contextVariables: r.context,
    },
    identityPolicies: [{ name: 'identity', policy: c.identity }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    permissionBoundaryPolicies: [{ name: 'boundary', policy: c.boundary }],
  };
  let result = runUnsafeSimulation(simulation, {});
  const n = 20000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) result = runUnsafeSimulation(simulation, {});
  const ns = Number(process.hrtime.bigint() - t0) / n;
  const decision = typeof result === 'string' ? result : JSON.stringify(result).slice(0, 60);
  console.log(`${r.name} ${r.action}: ${decision}, ${ns.toFixed(0)} ns/decision, ${(1e9 / ns).toFixed(0)} decisions/s`);
}
