import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { githubDotComIssuer, stsAudience } from "../policy-pack/governance/github";
import { componentTypes } from "../policy-pack/governance/typeTokens";
import { githubOidcIssuer, githubOidcIssuerProblem } from "./formats";
import { InvalidArgumentsError } from "./invalidArguments";

/** Options of the account's GitHub Actions OIDC provider. */
export interface GitHubOidcProviderArgs {
  /**
   * The issuer of the tokens the provider accepts, with or without `https://`: github.com's
   * `token.actions.githubusercontent.com`; GitHub Enterprise Cloud's enterprise-specific issuer,
   * `token.actions.githubusercontent.com/<enterprise slug>` (when the enterprise has set it
   * up); or GHE.com data residency's `token.actions.<subdomain>.ghe.com`. The push roles'
   * trust conditions use it as their key prefix (`<issuer>:sub`). IAM allows one provider per
   * issuer and account, so an account may hold a github.com provider and an enterprise one.
   * @default "token.actions.githubusercontent.com" (github.com)
   */
  readonly issuer?: string;
  /**
   * Tags for the provider.
   * @default {}
   */
  readonly tags?: { readonly [key: string]: pulumi.Input<string> };
  /**
   * Whether Pulumi refuses to delete the provider (`protect`): every push role of the account
   * trusts it, and deleting it locks every pipeline out at once.
   * @default true
   */
  readonly protect?: boolean;
}

/**
 * The issuer of each {@link GitHubOidcProvider}'s `arn` output, known from the URL the provider
 * is created with (IAM names a provider by its URL without `https://`). A pipeline given that
 * output builds its trust policy from this issuer, so it needs no ARN of a particular form: what
 * a test's mocks return for the provider's ARN is used as it is.
 */
const issuersByArnOutput = new WeakMap<object, string>();

/**
 * The issuer of an OIDC provider ARN given as an output, when the output is the `arn` of a
 * {@link GitHubOidcProvider} (the same object, not a value derived from it); otherwise undefined.
 */
export function knownIssuerOfArnOutput(arn: unknown): string | undefined {
  return typeof arn === "object" && arn !== null ? issuersByArnOutput.get(arn) : undefined;
}

/**
 * The account's IAM OIDC provider for GitHub Actions (`https://token.actions.githubusercontent.com`,
 * or an enterprise's issuer: see `issuer`; audience `sts.amazonaws.com`). IAM allows one per
 * issuer and account, so one stack creates it and every pipeline of the account trusts it.
 *
 * No thumbprints are given: IAM validates GitHub's tokens against its own trusted certificate
 * authorities, and pinned thumbprints only break when GitHub rotates certificates.
 */
export class GitHubOidcProvider extends pulumi.ComponentResource {
  public static readonly typeToken = componentTypes.githubOidcProvider;

  /** The provider's ARN, for `TrustedDeliveryPipelineArgs.oidcProviderArn`. */
  public readonly arn: pulumi.Output<string>;
  /** The issuer URL, `https://token.actions.githubusercontent.com` or the enterprise's. */
  public readonly url: pulumi.Output<string>;
  /** The issuer, as condition keys name it: `token.actions.githubusercontent.com`. */
  public readonly issuer: pulumi.Output<string>;
  /** The IAM OIDC provider. */
  public readonly provider: aws.iam.OpenIdConnectProvider;

  constructor(
    name: string,
    args: GitHubOidcProviderArgs = {},
    opts?: pulumi.ComponentResourceOptions,
  ) {
    // Invalid arguments register nothing, not even this component.
    const given = args.issuer ?? githubDotComIssuer;
    const issuerIssue = githubOidcIssuerProblem("issuer", given);
    if (issuerIssue) {
      throw new InvalidArgumentsError(`GitHubOidcProvider "${name}"`, [issuerIssue]);
    }
    super(GitHubOidcProvider.typeToken, name, {}, opts);
    const issuer = githubOidcIssuer(given);
    this.provider = new aws.iam.OpenIdConnectProvider(
      name,
      {
        url: `https://${issuer}`,
        clientIdLists: [stsAudience],
        tags: args.tags,
      },
      { parent: this, protect: args.protect ?? true },
    );
    this.arn = this.provider.arn;
    issuersByArnOutput.set(this.arn, issuer);
    this.issuer = pulumi.output(issuer);
    this.url = this.provider.url;
    this.registerOutputs({ arn: this.arn, url: this.url, issuer: this.issuer });
  }
}
