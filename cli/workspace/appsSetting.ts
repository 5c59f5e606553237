import { InvalidInputError, UsageError } from "../core/errors";
import { isPlainObject, problem } from "../../components/problems";
import { duplicateKeyProblem, PulumiProject, refuseNamespaceSlips } from "./project";
import { jsonMap, StackFileEditor } from "./stackFile";

/** Where a stack file keeps its apps, and the apps it has. */
export interface AppsSetting {
  /** The config key as the file spells it: `<project>:apps`, or the bare `apps`. */
  readonly key: string;
  /** The apps there now, by name, as the platform program reads them. */
  readonly apps: Readonly<Record<string, unknown>>;
}

/**
 * The apps of a stack file in every form the platform program accepts: under
 * `<project>:apps` or the bare `apps` key, as a YAML map (block or flow) or as JSON text of a
 * map (which the program parses). Anything else (a list, a number, text that is not a JSON map,
 * an encrypted value) is refused, naming the file and the key, so that no command ever
 * replaces apps it could not read; so is a config with keys in a namespace that looks like a
 * slip for the project's. A file with no config, or none yet (`config:` alone), has no apps.
 */
export function appsSetting(
  project: PulumiProject,
  editor: StackFileEditor,
  stack: string,
): AppsSetting {
  const config = editor.config();
  const duplicate = duplicateKeyProblem(project, config);
  if (duplicate !== undefined) {
    throw new UsageError(`${editor.display}: ${duplicate}`);
  }
  // A slip such as `trusted-delivery-platfrom:apps` would otherwise be left beside a new
  // `<project>:apps` holding only the app added.
  refuseNamespaceSlips(project, stack, editor.display, config);
  const namespaced = `${project.name}:apps`;
  const key = !(namespaced in config) && "apps" in config ? "apps" : namespaced;
  const value = config[key];
  const secure = isPlainObject(value) && Object.keys(value).length === 1 && "secure" in value;
  const apps =
    value === undefined || value === null
      ? {}
      : typeof value === "string"
        ? jsonMap(value)
        : isPlainObject(value) && !secure
          ? value
          : undefined;
  if (apps === undefined) {
    throw new InvalidInputError(`Stack "${stack}" config (${editor.display})`, [
      problem(
        key,
        secure ? "an encrypted value" : value,
        secure
          ? "must be readable to add to: keep apps unencrypted (their settings are not secrets)"
          : "must be a map from ECR repository name to { metadata, github, ecr?, tags? }, or JSON text of one",
      ),
    ]);
  }
  return { key, apps };
}
