import { strict as assert } from "assert";
import { ecrNoPublicAccess } from "../../policy-pack/policies/ecr/ecrNoPublicAccess";
import { runResourcePolicy, unknown, UnknownValueError } from "../helpers/policyHarness";

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
const repositoryPolicy = (policy: unknown) =>
  runResourcePolicy(ecrNoPublicAccess, {
    type: "aws:ecr/repositoryPolicy:RepositoryPolicy",
    props: { repository: "payments-api", policy },
  });
const publicMessage = (label: string) =>
  `ECR repository policy must not let every AWS principal in: ${label} allows Principal "*" without an aws:PrincipalOrgID or aws:PrincipalAccount condition; name the accounts that may pull, or add such a condition`;

describe("ecr-no-public-access", () => {
  it("Compliance 1: a repository policy naming the account that may pull, as JSON text", () => {
    assert.deepEqual(repositoryPolicy(JSON.stringify(pullFromAccount)), []);
  });

  it("Compliance 2: Principal * confined to the organisation", () => {
    const statement = {
      ...everyone,
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
    };
    assert.deepEqual(repositoryPolicy(withStatement(statement)), []);
  });

  it("Compliance 3: Principal * confined to accounts, with the key in another letter case", () => {
    const statement = {
      ...everyone,
      Condition: { "ForAnyValue:StringEquals": { "AWS:PRINCIPALACCOUNT": ["210987654321"] } },
    };
    assert.deepEqual(repositoryPolicy(withStatement(statement)), []);
  });

  it("Compliance 4: a Deny for everyone is not access", () => {
    assert.deepEqual(repositoryPolicy(withStatement({ ...everyone, Effect: "Deny" })), []);
  });

  it("Compliance 5: an ECR Public repository allowed by name", () => {
    const props = { repositoryName: "public-sdk-images" };
    assert.deepEqual(
      runResourcePolicy(
        ecrNoPublicAccess,
        { type: "aws:ecrpublic/repository:Repository", props },
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
    assert.deepEqual(repositoryPolicy(withStatement(statement)), [publicMessage("statement 1")]);
  });

  it("Noncompliance 3: a condition that names no organisation or account", () => {
    const statement = { ...everyone, Condition: { StringLike: { "aws:PrincipalOrgID": "*" } } };
    assert.deepEqual(repositoryPolicy(withStatement(statement)), [
      publicMessage('statement "Public"'),
    ]);
  });

  it("Noncompliance 4: an inline policy on an aws-native repository", () => {
    assert.deepEqual(
      runResourcePolicy(ecrNoPublicAccess, {
        type: "aws-native:ecr:Repository",
        props: { repositoryPolicyText: withStatement(everyone) },
      }),
      [publicMessage('statement "Public"')],
    );
  });

  it("Noncompliance 5: an ECR Public repository not allowed by config", () => {
    assert.deepEqual(
      runResourcePolicy(ecrNoPublicAccess, {
        type: "aws:ecrpublic/repository:Repository",
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

  it("cannot run while the policy text is unknown during preview", () => {
    assert.throws(() => repositoryPolicy(unknown), UnknownValueError);
  });
});
