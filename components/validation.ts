/**
 * The pipeline's validation, as the package exports it: every problem with a pipeline's
 * arguments. The checks themselves live in `checks/`, the single-value formats in `formats.ts`,
 * the reporting toolkit in `problems.ts`.
 */
import { checkPipelineArgs } from "./checks/pipeline";
import { Problem } from "./problems";

/**
 * Every problem with a pipeline's arguments, in argument order; empty when they are valid.
 *
 * `args` is checked as untyped data, because it also comes from YAML stack config, the CLI and
 * other languages. Values that are Pulumi outputs are only known later and are not checked.
 */
export function validateTrustedDeliveryPipelineArgs(name: string, args: unknown): Problem[] {
  return [...checkPipelineArgs(name, args).problems];
}
