import {
  parsePlatformConfig,
  PlatformConfig,
  platformConfigValues,
} from "../../programs/platform/config";
import { displayPath, PulumiProject, readStackConfig } from "./project";

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
