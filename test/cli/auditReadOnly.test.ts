import { strict as assert } from "assert";
import { CreateRepositoryCommand, ECRClient } from "@aws-sdk/client-ecr";
import { arnPath } from "../../cli/audit/resources";
import {
  accountReadActions,
  guardReadOnly,
  managementOnlyCalls,
  readActions,
  readOnlyPolicy,
  UnlistedCallError,
} from "../../cli/aws/readOnlyCalls";
import { decodePolicyDocument } from "../../cli/aws/readRoles";
import { reasonOf } from "../../cli/aws/unread";
import {
  ecrRegistryWriteActions,
  ecrRepositoryWriteActions,
  privilegeEscalationActions,
} from "../../policy-pack/governance/actions";
import { accessLevel } from "../helpers/awsActionLevels";
import { accountTypes, auditCalls, regionalTypes } from "../../cli/audit/auditedTypes";
import { parsePolicyDocument, PolicyDocument } from "../../policy-pack/iam/document";
import { analyzePermissions } from "../../policy-pack/iam/permissions";

describe("what the audit may call", () => {
  it("is the read-only table: these actions and no others", () => {
    assert.deepEqual(readActions(), [
      "ec2:DescribeRegions",
      "ecr:DescribePullThroughCacheRules",
      "ecr:DescribeRegistry",
      "ecr:DescribeRepositories",
      "ecr:DescribeRepositoryCreationTemplates",
      "ecr:GetLifecyclePolicy",
      "ecr:GetRegistryPolicy",
      "ecr:GetRegistryScanningConfiguration",
      "ecr:GetRepositoryPolicy",
      "ecr:GetSigningConfiguration",
      "ecr:ListTagsForResource",
      "iam:GetOpenIDConnectProvider",
      "iam:GetPolicy",
      "iam:GetPolicyVersion",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
      "iam:ListOpenIDConnectProviders",
      "iam:ListRolePolicies",
      "iam:ListRoles",
      "organizations:ListAccounts",
      "sts:AssumeRole",
      "sts:GetCallerIdentity",
    ]);
  });

  it("is what the registry of audited parts reads, each part naming its calls (auditedTypes.ts)", () => {
    // The organisation audit's management side (listing accounts, assuming their role) reads no
    // account part: the single-account audit and the member role never send it.
    assert.deepEqual(managementOnlyCalls, ["organizations:ListAccounts", "sts:AssumeRole"]);
    assert.deepEqual(auditCalls(), accountReadActions());
    for (const part of [...Object.values(regionalTypes), ...Object.values(accountTypes)]) {
      assert.ok(part.calls.length > 0);
      assert.ok(part.shapes.length > 0);
    }
  });

  it("holds only actions AWS classes as Read or List", async () => {
    // sts:AssumeRole only signs credentials for the member role (classed Write by AWS), and
    // organizations:ListAccounts (List) is not in the catalogue: neither reads an account part.
    // ec2:DescribeRegions is outside the pack's catalogue (ECR, IAM, STS): AWS's reference says.
    for (const action of accountReadActions()) {
      const level = await accessLevel(action);
      assert.ok(["Read", "List"].includes(level ?? ""), `${action} is ${level}`);
    }
  });

  it("prints a policy the pack's IAM model finds grants no write, escalation or registry change", () => {
    const policy = readOnlyPolicy();
    assert.deepEqual(policy.Statement.length, 1);
    assert.equal(policy.Statement[0].Resource, "*");
    assert.deepEqual(policy.Statement[0].Action, accountReadActions());
    const document = parsePolicyDocument(policy);
    assert.ok(!("error" in document));
    assert.deepEqual(
      analyzePermissions([{ label: "audit", document: document as PolicyDocument }], {
        escalationActions: privilegeEscalationActions,
        registryWriteActions: ecrRegistryWriteActions,
        repositoryWriteActions: ecrRepositoryWriteActions,
      }),
      [],
    );
  });

  it("refuses, before anything is sent, a command the table does not list", async () => {
    const heard: string[] = [];
    const client = guardReadOnly(
      new ECRClient({
        endpoint: "http://127.0.0.1:9",
        region: "eu-west-2",
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
        maxAttempts: 1,
      }),
      "ecr",
      (action) => heard.push(action),
    );
    await assert.rejects(client.send(new CreateRepositoryCommand({ repositoryName: "x" })), {
      name: "UnlistedCallError",
      message:
        "ecr:CreateRepository is not one of the read-only calls in cli/aws/readOnlyCalls.ts; the CLI sends no other",
    });
    assert.ok(new UnlistedCallError("ecr:X") instanceof Error);
    assert.deepEqual(heard, []);
  });
});

describe("reading what AWS returns", () => {
  it("decodes IAM's URL-encoded policy documents, and leaves JSON text as it is", () => {
    const text = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::a b/*" }],
    });
    assert.equal(decodePolicyDocument(encodeURIComponent(text)), text);
    assert.equal(decodePolicyDocument(text), text);
  });

  it("names resources by their ARN's parts, as a path with no URI scheme", () => {
    assert.equal(
      arnPath("arn:aws:ecr:eu-west-2:123456789012:repository/team/app"),
      "aws/ecr/eu-west-2/123456789012/repository/team/app",
    );
    assert.equal(
      arnPath("arn:aws:iam::123456789012:role/ci/push"),
      "aws/iam/123456789012/role/ci/push",
    );
  });

  it("says why a call failed as the API said it, or that the answer was not an AWS API response", () => {
    assert.equal(
      reasonOf(
        Object.assign(new Error("User: x is not authorized to perform: ecr:GetLifecyclePolicy"), {
          name: "AccessDeniedException",
          $fault: "client",
          $metadata: { httpStatusCode: 400 },
        }),
      ),
      "AccessDeniedException (HTTP 400): User: x is not authorized to perform: ecr:GetLifecyclePolicy",
    );
    assert.equal(
      reasonOf(
        Object.assign(new SyntaxError("Unexpected token '<'\n  Deserialization error"), {
          $metadata: { httpStatusCode: 500 },
        }),
      ),
      "HTTP 500 Internal Server Error: not an AWS API response",
    );
    assert.equal(
      reasonOf(
        Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }),
      ),
      "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9",
    );
  });
});
