/**
 * The resources a resource stands for: itself, and, for a CloudFormation stack or stack set,
 * every resource its template declares, read as if the program had declared it (MODEL.md,
 * "Resources inside resources"). A declared resource lives where its stack lives: the stack's
 * provider for a stack; anywhere for a stack set, whose accounts are not known here.
 */
import { Placement } from "../iam/placement";
import {
  cloudFormationTemplate,
  CloudFormationDeployment,
  DeclaredResource,
  readDeployment,
  TemplateReading,
} from "./cloudFormation";
import { PlacedResource, placementOfResource } from "./placement";
import { knownOrUndefined } from "./known";

/** A resource as the policies judge it, with how messages name what declares it. */
export interface JudgedResource extends PlacedResource {
  readonly name: string;
  /** For a resource a template declares: `CloudFormation stack "x" declares AWS::IAM::Role "Push"`. */
  readonly declaredBy?: string;
  /** Where it lives, when not its own (a stack set's resources: anywhere). */
  readonly placement?: Placement;
}

/** Where a judged resource lives. */
export function placementOfJudged(resource: JudgedResource): Placement {
  return resource.placement ?? placementOfResource(resource);
}

/** The template of a resource that deploys one, read; undefined for other resources and during a preview when unknown. */
export function templateOf(
  resource: PlacedResource & { name?: string },
): { deployment: CloudFormationDeployment; reading: TemplateReading } | undefined {
  const deployment = knownOrUndefined(() => cloudFormationTemplate(resource));
  if (deployment === undefined) {
    return undefined;
  }
  const placement = placementOfResource(resource);
  const reading = knownOrUndefined(() =>
    readDeployment(deployment, {
      ...(placement.accounts?.length === 1 && { account: placement.accounts[0] }),
      ...(placement.partitions?.length === 1 && { partition: placement.partitions[0] }),
      ...(placement.regions?.length === 1 && { region: placement.regions[0] }),
    }),
  );
  return reading === undefined ? undefined : { deployment, reading };
}

/** The resources a template declares, as judged resources. */
export function declaredResources(
  resource: PlacedResource & { name: string },
): { declared: DeclaredResource; judged: JudgedResource }[] {
  const template = templateOf(resource);
  if (template === undefined || !("resources" in template.reading)) {
    return [];
  }
  const { deployment, reading } = template;
  const placement = deployment.otherAccounts
    ? { partitions: placementOfResource(resource).partitions }
    : placementOfResource(resource);
  return reading.resources.map((declared) => ({
    declared,
    judged: {
      type: declared.type,
      props: declared.props as Record<string, any>,
      name: `${resource.name}/${declared.logicalId}`,
      declaredBy: `${deployment.what} declares ${declared.cloudFormationType} "${declared.logicalId}"`,
      placement,
      ...(resource.provider && { provider: resource.provider }),
    },
  }));
}
