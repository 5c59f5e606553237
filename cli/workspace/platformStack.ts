import { signsImages } from "../../components/registrySigning";
import {
  parsePlatformConfig,
  PlatformConfig,
  platformConfigValues,
  RegistrySigning,
} from "../../programs/platform/config";
import { displayPath, PulumiProject, readStackConfig } from "./project";
import type { StackFileEditor } from "./stackFile";
import { UsageError } from "../core/errors";
import { didYouMeanText } from "../core/suggest";

/** A stack's platform config, read from its stack file and checked as the program checks it. */
export function readPlatformStack(
  project: PulumiProject,
  stack: string,
): { config: PlatformConfig; file: string } {
  const stackConfig = readStackConfig(project, stack);
  const file = displayPath(project, stackConfig.file);
  const raw = platformConfigValues(project.name, stackConfig.values);
  return {
    config: parsePlatformConfig({ project: project.name, stack: stackConfig.stack, file }, raw),
    file,
  };
}

/**
 * Makes a stack that gains an app whose images are signed (a high-risk one) able to sign them:
 * when the stack has no source of a signing profile yet (neither `registrySigning` nor
 * `signingProfileArn`), it takes over the account's ECR signing (`registrySigning: managed`,
 * written into the stack file). Returns what was done, for the command to say, or undefined when
 * nothing was needed. A stack whose account's signing another stack owns sets
 * `signingProfileArn` instead; the command's note says so.
 */
export function manageSigningForSignedApps(
  editor: StackFileEditor,
  projectName: string,
  file: string,
  apps: Readonly<Record<string, unknown>>,
): string | undefined {
  const raw = platformConfigValues(projectName, editor.config());
  if (raw.registrySigning !== undefined || raw.signingProfileArn !== undefined) {
    return undefined;
  }
  const signed = Object.entries(apps)
    .filter(([, entry]) => {
      const app = entry as { metadata?: { risk?: unknown }; ecr?: { signing?: unknown } };
      const signing = typeof app?.ecr?.signing === "boolean" ? app.ecr.signing : undefined;
      return signsImages(signing, app?.metadata?.risk);
    })
    .map(([name]) => name);
  if (signed.length === 0) {
    return undefined;
  }
  editor.setConfig(`${projectName}:registrySigning`, RegistrySigning.Managed);
  return `set ${projectName}:registrySigning: managed in ${file}, since ${signed.join(", ")} ${signed.length === 1 ? "signs its" : "sign their"} images (high risk): the stack now creates the environment's AWS Signer profile and the account's ECR signing configuration; if another stack owns that configuration, set signingProfileArn to its profile instead`;
}

/**
 * One app of a stack's platform config, by name; a name the stack does not hold is a usage
 * error naming the stack file, the nearest name and the apps there.
 */
export function appOfStack(
  config: PlatformConfig,
  file: string,
  app: string,
): PlatformConfig["apps"][string] {
  const resolved = config.apps[app];
  if (resolved === undefined) {
    const names = Object.keys(config.apps);
    throw new UsageError(
      `app "${app}" is not in ${file}${didYouMeanText(app, names)}; apps there: ${names.join(", ") || "none"}`,
    );
  }
  return resolved;
}
