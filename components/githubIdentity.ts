/**
 * The GitHub side of trusting a repository by identity: its ids, read from GitHub at deploy
 * time with the GitHub provider's data sources, and its OIDC subject claim template, which the
 * trust policy's `sub` conditions rely on.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { GitHubIds } from "./githubTrust";
import { Problem, problem } from "./problems";

/**
 * The data sources the ids are read with (the offline plan's mocks answer them): the
 * repository's (`repoId`), and its owner's (`id`, the numeric id as text). `getUser` reads
 * `/users/<owner>`, which GitHub answers for organisations too, so one call serves either kind
 * of owner (`getOrganization` would refuse a user).
 */
export const githubIdentityFunctions = {
  getRepository: "github:index/getRepository:getRepository",
  getUser: "github:index/getUser:getUser",
} as const;

/** What looking the ids up found: the ids, or why there are none. */
export type GitHubIdLookup =
  | { readonly ids: GitHubIds; readonly failure?: undefined }
  | { readonly ids?: undefined; readonly failure: string };

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // The SDK prefixes a failed invoke's message with where it came from; the reason is the rest.
  return text.replace(/^Invoke of '[^']*' failed: /, "").trim() || "no reason given";
}

/** A positive id, from a number or from the decimal text the provider gives some ids as. */
function positiveId(value: unknown): number | undefined {
  const id = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/**
 * GitHub's ids of `owner/name` and of its owner, read through the GitHub provider `parent`
 * writes with (its `opts.providers`), on every preview and update. A repository the provider
 * cannot read (it does not exist, or the token may not see it), or an answer without the ids,
 * gives a failure, never ids that are not the repository's.
 */
export function lookUpGitHubIds(
  repository: string,
  parent: pulumi.Resource,
): pulumi.Output<GitHubIdLookup> {
  const [owner] = repository.split("/");
  const lookup = async (): Promise<GitHubIdLookup> => {
    let repositoryId: number | undefined;
    let ownerId: number | undefined;
    try {
      const [found, ownedBy] = await Promise.all([
        github.getRepository({ fullName: repository }, { parent }),
        github.getUser({ username: owner }, { parent }),
      ]);
      repositoryId = positiveId(found?.repoId);
      ownerId = positiveId(ownedBy?.id);
    } catch (error) {
      return { failure: messageOf(error) };
    }
    if (repositoryId === undefined || ownerId === undefined) {
      return {
        failure: `GitHub's answer holds no ${repositoryId === undefined ? "repository" : "owner"} id`,
      };
    }
    return { ids: { ownerId, repositoryId } };
  };
  return pulumi.output(lookup());
}

/** The problem of a repository whose ids could not be read: it names the field and the value. */
export function unknownRepositoryProblem(repository: string, failure: string): Problem {
  return problem(
    "github.repository",
    repository,
    `must be a repository the GitHub provider can read, for trust: "id" to pin its ids: looking it up failed (${failure}); check the name, that the repository exists, and that the provider's token may read it, or give github.ownerId and github.repositoryId`,
  );
}

/** The subject claim template child's name, derived from the pipeline's. */
export function oidcSubjectTemplateName(pipelineName: string): string {
  return `${pipelineName}-oidc-subject-template`;
}

/**
 * GitHub's default OIDC subject claim template for the app repository, managed: the trust
 * policy's `sub` values are written in the default template's form, so a template customised
 * by hand (which changes what `sub` holds) would otherwise lock the app out, or change what the
 * subjects mean.
 */
export function defaultOidcSubjectTemplate(
  pipelineName: string,
  repository: pulumi.Input<string>,
  parent: pulumi.Resource,
): github.ActionsRepositoryOidcSubjectClaimCustomizationTemplate {
  return new github.ActionsRepositoryOidcSubjectClaimCustomizationTemplate(
    oidcSubjectTemplateName(pipelineName),
    { repository, useDefault: true },
    { parent },
  );
}
