import type { ResourceValidationPolicy } from "@pulumi/policy";
import { templateOf } from "../../resources/declared";

/**
 * What the pack cannot judge in a CloudFormation stack or stack set: a template it cannot read,
 * and resources whose effect is code or another template. Every other resource a template
 * declares is judged by the pack's other policies, as if the program had declared it.
 */
export function templateReadableViolations(resource: Parameters<typeof templateOf>[0]): string[] {
  const template = templateOf(resource);
  if (template === undefined) {
    return [];
  }
  const { deployment, reading } = template;
  if ("unreadable" in reading) {
    return [
      `${deployment.what}'s template ${reading.unreadable}, so what it declares cannot be proven safe: give the template itself (templateBody), without macros (Transform)`,
    ];
  }
  return reading.unread.map(
    (unread) =>
      `${deployment.what} declares "${unread.logicalId}", which cannot be proven safe: ${unread.reason}; declare what it makes in the template or the program, where the pack can judge it`,
  );
}

export const cloudformationTemplateReadable: ResourceValidationPolicy = {
  name: "cloudformation-template-readable",
  description:
    "CloudFormation stacks and stack sets give templates the pack can read (the template itself, no macros), declaring no resource it cannot judge (custom resources, nested stacks): every resource they declare is judged by the pack's policies as if the program declared it.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Give the stack its template in templateBody (not templateUrl), without a Transform; declare roles, repositories and policies in the template or the Pulumi program rather than through custom resources or nested stacks.",
  configSchema: { properties: {} },
  validateResource: (args, reportViolation) => {
    templateReadableViolations(args).forEach((v) => reportViolation(v));
  },
};
