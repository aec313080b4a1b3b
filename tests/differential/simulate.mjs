// Evaluate each case of a cases file (the `custos policy eval` array form) with
// @cloud-copilot/iam-simulate and print one decision per line.
import { readFileSync } from 'node:fs';
import { createValidatedPolicy, validateResourcePolicy } from '@cloud-copilot/iam-policy';
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';

const names = { Allowed: 'allowed', ExplicitlyDenied: 'explicitDeny', ImplicitlyDenied: 'implicitDeny' };
for (const c of JSON.parse(readFileSync(process.argv[2], 'utf8'))) {
  const r = c.request;
  const simulation = {
    request: {
      principal: r.principal_arn,
      action: r.action,
      resource: { resource: r.resource, accountId: r.resource_account ?? r.principal_account },
      contextVariables: r.context ?? {},
    },
    identityPolicies: c.identity.map((policy, i) => ({ name: `identity[${i}]`, policy })),
    serviceControlPolicies: [],
    // runUnsafeSimulation adds no RCPFullAWSAccess: the cases carry it, as custos's do
    resourceControlPolicies: (c.rcps ?? []).map((level, i) => ({
      orgIdentifier: `ou-${i}`,
      policies: level.map((policy, j) => ({ name: `rcps[${i}][${j}]`, policy })),
    })),
    permissionBoundaryPolicies: c.boundary ? [{ name: 'boundary', policy: c.boundary }] : undefined,
    // runUnsafeSimulation loads a resource policy without a name, which its analysis then
    // needs: a validated policy carries one
    resourcePolicy: c.resource
      ? createValidatedPolicy(c.resource, validateResourcePolicy, { name: 'resource' })
      : undefined,
  };
  let result;
  try {
    result = runUnsafeSimulation(simulation, {});
  } catch (e) {
    result = 'error: ' + e.message;
  }
  console.log(names[result] ?? String(result));
}
