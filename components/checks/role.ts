import { defaultMaxSessionDuration, defaultRolePath } from "../defaults";
import { iamPathProblem, maxSessionDurationProblem, permissionsBoundaryProblem } from "../formats";
import { PushRoleSettings } from "../pipelineArgs";
import type { PipelineSettings } from "../pipelineSettings";
import {
  Checked,
  checked,
  Fields,
  fieldNames,
  isPlainObject,
  Problem,
  problem,
  unknownKeys,
} from "../problems";

/** The key list of its interface, tied to it by the compiler. */
export const roleFields = {
  permissionsBoundary: true,
  maxSessionDuration: true,
  path: true,
} as const satisfies Fields<PushRoleSettings>;

/**
 * The push role's settings, each checked as IAM would take it, with IAM's defaults applied. A
 * boundary ARN that is an output is only known later, and is passed on unchecked.
 */
export function checkRole(role: unknown): Checked<PipelineSettings["role"]> {
  const given = role ?? {};
  if (!isPlainObject(given)) {
    return {
      problems: [
        problem("role", role, `must be an object with any of ${fieldNames(roleFields).join(", ")}`),
      ],
    };
  }
  const problems: Problem[] = [...unknownKeys("role", given, fieldNames(roleFields))];
  for (const issue of [
    permissionsBoundaryProblem("role.permissionsBoundary", given.permissionsBoundary),
    maxSessionDurationProblem("role.maxSessionDuration", given.maxSessionDuration),
    iamPathProblem("role.path", given.path),
  ]) {
    if (issue) {
      problems.push(issue);
    }
  }
  // Checked above: every field is what its interface says.
  const settings = given as PushRoleSettings;
  return checked(problems, () => ({
    ...(settings.permissionsBoundary === undefined
      ? {}
      : { permissionsBoundary: settings.permissionsBoundary }),
    maxSessionDuration: settings.maxSessionDuration ?? defaultMaxSessionDuration,
    path: settings.path ?? defaultRolePath,
  }));
}
