import { shellQuote } from "../../core/text";
import { adoptedPull } from "../appEntries";
import { TerraformRegistry } from "./state";

/** The `terraform state rm` command per registry that releases it (and its lifecycle policy) from Terraform. */
export function stateRmCommands(registries: readonly TerraformRegistry[]): string[] {
  return registries.map((registry) =>
    [
      "terraform state rm",
      ...[
        registry.address,
        ...(registry.lifecyclePolicy ? [registry.lifecyclePolicy.address] : []),
        // Only a policy the pipeline adopts (as ecr.pull) leaves Terraform with it.
        ...(registry.repositoryPolicy && adoptedPull(registry) !== undefined
          ? [registry.repositoryPolicy.address]
          : []),
      ].map(shellQuote),
    ].join(" "),
  );
}
