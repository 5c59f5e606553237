import { strict as assert } from "assert";
import { ecrNoPublicAccess } from "../../policy-pack/policies/ecr/ecrNoPublicAccess";
import { runResourcePolicy, unknown, UnknownValueError } from "../helpers/policyHarness";
import {
  awsNativeTypes,
  awsTypes,
  cloudControlResourceType,
} from "../../policy-pack/governance/typeTokens";

const pullFromAccount = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "PullFromProd",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::210987654321:root" },
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    },
  ],
};
const withStatement = (statement: Record<string, unknown>) => ({
  Version: "2012-10-17",
  Statement: [statement],
});
const everyone = { Sid: "Public", Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" };
const repositoryPolicy = (policy: unknown, config: Record<string, unknown> = {}) =>
  runResourcePolicy(
    ecrNoPublicAccess,
    { type: awsTypes.ecrRepositoryPolicy, props: { repository: "payments-api", policy } },
    config,
  );
/** The readers the compliance cases name: the pack accepts them only when its config lists them. */
const readers = {
  allowedPullAccounts: ["210987654321"],
  allowedPullOrganizations: ["o-abc123defg"],
};
const remedy =
  'name the accounts that may pull in Principal, or confine "*" with an aws:PrincipalOrgID condition naming your organisation';
const noOrganisation =
  "a role of an account it does not name, in no organisation (e.g. arn:aws:iam::111122223333:role/outsider)";
const otherOrganisation = (principal: string, organisation: string) =>
  `a role of an account it does not name, in an organisation it does not name (e.g. ${principal} in ${organisation})`;
const pulls = "read it (ecr:BatchGetImage)";
const publicMessage = (
  label: string,
  outsider = noOrganisation,
  actions = pulls,
  what = "ECR repository policy",
) =>
  `${what} must not let principals of other accounts in: ${label} lets ${outsider} ${actions}; ${remedy}`;

describe("ecr-no-public-access", () => {
  it("Compliance 1: a repository policy naming the account that may pull, as JSON text", () => {
    assert.deepEqual(repositoryPolicy(JSON.stringify(pullFromAccount), readers), []);
  });

  it("Compliance 2: Principal * confined to the organisation", () => {
    const statement = {
      ...everyone,
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123defg" } },
    };
    assert.deepEqual(repositoryPolicy(withStatement(statement), readers), []);
  });

  it("Compliance 3: Principal * confined to accounts, with the key in another letter case", () => {
    const statement = {
      ...everyone,
      Condition: { "ForAnyValue:StringEquals": { "AWS:PRINCIPALACCOUNT": ["210987654321"] } },
    };
    assert.deepEqual(repositoryPolicy(withStatement(statement), readers), []);
  });

  it("Compliance 3b: an organisational unit's accounts, by organisation path", () => {
    const statement = {
      ...everyone,
      Condition: {
        "ForAnyValue:StringLike": {
          "aws:PrincipalOrgPaths": "o-abc123defg/r-ab12/ou-ab12-11111111/*",
        },
      },
    };
    assert.deepEqual(
      repositoryPolicy(withStatement(statement), {
        allowedPullOrganizations: ["o-abc123defg/r-ab12/ou-ab12-11111111/"],
      }),
      [],
    );
    // The organisation's other units are not allowed readers.
    assert.equal(
      repositoryPolicy(withStatement(statement), {
        allowedPullOrganizations: ["o-abc123defg/r-ab12/ou-ab12-22222222/"],
      }).length,
      1,
    );
  });

  it("Noncompliance 1b: readers the policy names but the config does not allow, nothing wider", () => {
    // The stack's account (the registry's) is inside; another named account is not.
    const own = (policy: unknown, config: Record<string, unknown> = {}) =>
      runResourcePolicy(
        ecrNoPublicAccess,
        {
          type: awsTypes.ecrRepositoryPolicy,
          props: { repository: "payments-api", policy, registryId: "123456789012" },
        },
        config,
      );
    assert.deepEqual(own(pullFromAccount), [
      `ECR repository policy must let in only this stack's account (123456789012) and the allowed readers: statement "PullFromProd" names account 210987654321: list it in allowedPullAccounts if it may pull, or remove it from the policy`,
    ]);
    assert.deepEqual(own(pullFromAccount, readers), []);
    const ownOnly = {
      ...pullFromAccount,
      Statement: [{ ...pullFromAccount.Statement[0], Principal: { AWS: "123456789012" } }],
    };
    assert.deepEqual(own(ownOnly), []);
    // An allowed reader may only pull.
    const pushes = {
      ...pullFromAccount,
      Statement: [
        { ...pullFromAccount.Statement[0], Action: ["ecr:BatchGetImage", "ecr:PutImage"] },
      ],
    };
    assert.deepEqual(own(pushes, readers), [
      `ECR repository policy lets the reader account 210987654321 push images (ecr:PutImage) in statement "PullFromProd": readers may only pull (ECR's Read and List actions)`,
    ]);
    // An organisation the config does not list.
    const organisation = {
      ...everyone,
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123defg" } },
    };
    assert.deepEqual(own(withStatement(organisation)), [
      `ECR repository policy must let in only this stack's account and the allowed readers: statement "Public" lets a role of account 000000000000 (e.g. arn:aws:iam::000000000000:role/a), in o-abc123defg, not an allowed organisation read it (ecr:BatchGetImage); list 000000000000 in allowedPullAccounts (or its organisation in allowedPullOrganizations) if it may pull, or remove it from the policy`,
    ]);
    // An organisation member may only pull too.
    const organisationPushes = { ...organisation, Action: ["ecr:BatchGetImage", "ecr:PutImage"] };
    assert.equal(own(withStatement(organisationPushes), readers).length, 1);
  });

  it("Compliance 4: a Deny for everyone is not access", () => {
    assert.deepEqual(repositoryPolicy(withStatement({ ...everyone, Effect: "Deny" })), []);
  });

  it("Compliance 5: an ECR Public repository allowed by name", () => {
    const props = { repositoryName: "public-sdk-images" };
    assert.deepEqual(
      runResourcePolicy(
        ecrNoPublicAccess,
        { type: awsTypes.ecrPublicRepository, props },
        { allowedPublicRepositories: ["public-sdk-images"] },
      ),
      [],
    );
  });

  it("Noncompliance 1: Principal * with no condition", () => {
    assert.deepEqual(repositoryPolicy(withStatement(everyone)), [
      publicMessage('statement "Public"'),
    ]);
  });

  it('Noncompliance 2: Principal {"AWS": "*"} in a list, without a Sid', () => {
    const { Sid: _sid, ...statement } = {
      ...everyone,
      Principal: { AWS: ["arn:aws:iam::210987654321:root", "*"] },
    };
    assert.deepEqual(repositoryPolicy(withStatement(statement), readers), [
      publicMessage("statement 1"),
    ]);
  });

  it("Noncompliance 3: a condition that names no organisation or account", () => {
    const statement = { ...everyone, Condition: { StringLike: { "aws:PrincipalOrgID": "*" } } };
    assert.deepEqual(repositoryPolicy(withStatement(statement)), [
      publicMessage(
        'statement "Public"',
        otherOrganisation("arn:aws:iam::111122223333:role/outsider", "o-zzzzzzzzzz"),
      ),
    ]);
  });

  it("Noncompliance 4: an inline policy on an aws-native repository", () => {
    assert.deepEqual(
      runResourcePolicy(ecrNoPublicAccess, {
        type: awsNativeTypes.ecrRepository,
        props: { repositoryPolicyText: withStatement(everyone) },
      }),
      [publicMessage('statement "Public"')],
    );
  });

  it("Noncompliance 5: an ECR Public repository not allowed by config", () => {
    assert.deepEqual(
      runResourcePolicy(ecrNoPublicAccess, {
        type: awsTypes.ecrPublicRepository,
        props: { repositoryName: "payments-api" },
      }),
      [
        'ECR Public repository "payments-api" publishes images to everyone: use a private ECR repository, or list "payments-api" in allowedPublicRepositories',
      ],
    );
  });

  it("Noncompliance 6: a policy that is not JSON", () => {
    assert.deepEqual(repositoryPolicy("{"), [
      "ECR repository policy is not valid JSON: give a valid policy document",
    ]);
  });

  // The classes of public access found in review: each passed every mandatory policy before.

  it("Noncompliance 7 (class 5): NotPrincipal with Allow lets everyone but the named account push", () => {
    const statement = {
      Effect: "Allow",
      NotPrincipal: { AWS: "arn:aws:iam::210987654321:root" },
      Action: ["ecr:PutImage", "ecr:BatchGetImage"],
    };
    assert.deepEqual(repositoryPolicy(withStatement(statement)), [
      publicMessage("statement 1", noOrganisation, "push images (ecr:PutImage)"),
    ]);
  });

  it("Noncompliance 8 (class 5): Principal * confined only by IfExists, which an account outside any organisation passes", () => {
    const statement = {
      ...everyone,
      Action: "ecr:PutImage",
      Condition: { StringEqualsIfExists: { "aws:PrincipalOrgID": "o-abc123defg" } },
    };
    assert.deepEqual(repositoryPolicy(withStatement(statement)), [
      publicMessage('statement "Public"', noOrganisation, "push images (ecr:PutImage)"),
    ]);
  });

  it("Noncompliance 9 (class 5): organisation, account and org-path values with wildcards other than a lone *", () => {
    const confined = (condition: object) =>
      repositoryPolicy(withStatement({ ...everyone, Condition: condition }));
    assert.deepEqual(confined({ StringLike: { "aws:PrincipalOrgID": "o-abc*" } }), [
      publicMessage(
        'statement "Public"',
        otherOrganisation("arn:aws:iam::000000000000:role/a", "o-abcaaaaaaa"),
      ),
    ]);
    assert.deepEqual(confined({ StringLike: { "aws:PrincipalAccount": "2109*" } }), [
      publicMessage(
        'statement "Public"',
        "a role of an account it does not name, in no organisation (e.g. arn:aws:iam::210900000000:role/a)",
      ),
    ]);
    assert.deepEqual(
      confined({ "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": "o-*/r-ab12/*" } }),
      [
        publicMessage(
          'statement "Public"',
          otherOrganisation("arn:aws:iam::000000000000:role/a", "o-aaaaaaaaaa"),
        ),
      ],
    );
  });

  it("Noncompliance 10: a service principal acting for any account", () => {
    const statement = {
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: "ecr:BatchGetImage",
    };
    assert.deepEqual(repositoryPolicy(withStatement(statement)), [
      publicMessage(
        "statement 1",
        "the service lambda.amazonaws.com acting for an account it does not name (e.g. 111122223333)",
      ),
    ]);
    const confined = {
      ...statement,
      Condition: { StringEquals: { "aws:SourceAccount": "210987654321" } },
    };
    assert.deepEqual(repositoryPolicy(withStatement(confined), readers), []);
    assert.equal(repositoryPolicy(withStatement(confined)).length, 1);
  });

  it("Noncompliance 11 (class 6): the registry policy, a creation template's policy and a Cloud Control registry policy", () => {
    const run = (type: string, props: Record<string, unknown>) =>
      runResourcePolicy(ecrNoPublicAccess, { type, props });
    assert.deepEqual(run(awsTypes.ecrRegistryPolicy, { policy: withStatement(everyone) }), [
      publicMessage('statement "Public"', noOrganisation, pulls, "ECR registry policy"),
    ]);
    assert.deepEqual(
      run(awsNativeTypes.ecrRegistryPolicy, { policyText: withStatement(everyone) }),
      [publicMessage('statement "Public"', noOrganisation, pulls, "ECR registry policy")],
    );
    assert.deepEqual(
      run(awsTypes.ecrRepositoryCreationTemplate, {
        prefix: "team",
        repositoryPolicy: JSON.stringify(withStatement(everyone)),
      }),
      [
        publicMessage(
          'statement "Public"',
          noOrganisation,
          pulls,
          'ECR repository creation template "team"\'s repository policy',
        ),
      ],
    );
    assert.deepEqual(
      run(cloudControlResourceType, {
        typeName: "AWS::ECR::RegistryPolicy",
        desiredState: JSON.stringify({ PolicyText: withStatement(everyone) }),
      }),
      [publicMessage('statement "Public"', noOrganisation, pulls, "ECR registry policy")],
    );
  });

  it("Noncompliance 12 (class 6): replication to an account the config does not allow", () => {
    const replication = (registryIds: string[], own?: string) =>
      runResourcePolicy(
        ecrNoPublicAccess,
        {
          type: awsTypes.ecrReplicationConfiguration,
          props: {
            ...(own && { registryId: own }),
            replicationConfiguration: {
              rules: [
                {
                  destinations: registryIds.map((registryId) => ({
                    region: "us-east-1",
                    registryId,
                  })),
                },
              ],
            },
          },
        },
        { allowedReplicationAccounts: ["222222222222"] },
      );
    assert.deepEqual(replication(["123456789012", "222222222222"], "123456789012"), []);
    assert.deepEqual(replication(["999999999999"], "123456789012"), [
      "ECR replication copies images to account 999999999999 (us-east-1), outside this stack's account (123456789012): replicate within the account, or list 999999999999 in allowedReplicationAccounts",
    ]);
    assert.deepEqual(replication(["123456789012"]), [
      "ECR replication copies images to account 123456789012 (us-east-1), which cannot be shown to be this stack's own: set aws:allowedAccountIds on the stack's AWS provider, or list 123456789012 in allowedReplicationAccounts",
    ]);
  });

  it("cannot run while the policy text is unknown during preview", () => {
    assert.throws(() => repositoryPolicy(unknown), UnknownValueError);
  });
});
