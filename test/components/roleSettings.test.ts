/**
 * The push role's settings every OIDC module offers: a permissions boundary, the longest session
 * and the IAM path. Each is checked as IAM takes it (every problem at once, naming the field, the
 * value and what is allowed), resolved to IAM's default when not given, registered on the role,
 * and passed through the platform config and add-app.
 */
import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import { TrustedDeliveryPipeline, TrustedDeliveryPipelineArgs } from "../../components";
import { checkRole } from "../../components/checks/role";
import { validateTrustedDeliveryPipelineArgs } from "../../components/validation";
import { addAppCommand } from "../../cli/commands/addApp";
import { appEntry, planAddApp } from "../../cli/selfService/addApp";
import { parsePlatformConfig } from "../../programs/platform/config";
import { awsTypes } from "../../policy-pack/governance/typeTokens";
import { minimalPipelineArgs } from "../helpers/pipelineArgs";
import { runProgram, single } from "../helpers/offline";
import { tempPlatformProject } from "../helpers/tempProject";
import { findProject } from "../../cli/workspace/project";

const boundary = "arn:aws:iam::123456789012:policy/delivery/ecr-push-boundary";
const messages = (role: unknown) =>
  validateTrustedDeliveryPipelineArgs("payments-api", { ...minimalPipelineArgs, role }).map(
    (p) => p.message,
  );
const boundaryAllowed =
  'must be the ARN of an IAM managed policy, arn:<partition>:iam::<12-digit account>:policy/<path/name> or an AWS managed policy arn:<partition>:iam::aws:policy/<path/name>, e.g. "arn:aws:iam::123456789012:policy/delivery-boundary"';
const durationAllowed =
  "must be a whole number of seconds from 3600 (one hour, IAM's default) to 43200 (12 hours), as IAM allows";
const pathAllowed =
  'must be an IAM path: "/" or segments between slashes, 1 to 512 printable ASCII characters without spaces, e.g. "/delivery/"';

describe("push role settings: permissions boundary, maximum session duration, IAM path", () => {
  it("resolves to IAM's defaults when none is given: no boundary, one-hour sessions, path /", () => {
    assert.deepEqual(checkRole(undefined), {
      problems: [],
      value: { maxSessionDuration: 3600, path: "/" },
    });
  });

  it("accepts a customer or AWS managed policy ARN in any partition, and IAM's bounds exactly", () => {
    for (const role of [
      { permissionsBoundary: boundary, maxSessionDuration: 3600, path: "/" },
      {
        permissionsBoundary: "arn:aws:iam::aws:policy/PowerUserAccess",
        maxSessionDuration: 43200,
        path: "/delivery/ecr/",
      },
      { permissionsBoundary: "arn:aws-us-gov:iam::123456789012:policy/boundary" },
      { permissionsBoundary: "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess" },
    ]) {
      assert.deepEqual(messages(role), [], JSON.stringify(role));
    }
  });

  it("refuses a boundary that is not a managed policy's ARN, naming the field and the value", () => {
    for (const bad of [
      "ecr-push-boundary",
      "arn:aws:iam::123456789012:role/ecr-push",
      "arn:aws:iam::12345:policy/boundary",
      "arn:aws:iam::123456789012:policy/",
      "arn:aws:s3:::bucket/policy/x",
      42,
    ]) {
      assert.deepEqual(messages({ permissionsBoundary: bad }), [
        `role.permissionsBoundary is ${JSON.stringify(bad)}; ${boundaryAllowed}`,
      ]);
    }
  });

  it("refuses a session duration outside IAM's 3600 to 43200 seconds, or not a whole number", () => {
    for (const bad of [3599, 43201, 0, 7200.5, "3600", -3600]) {
      assert.deepEqual(messages({ maxSessionDuration: bad }), [
        `role.maxSessionDuration is ${JSON.stringify(bad)}; ${durationAllowed}`,
      ]);
    }
  });

  it("refuses a path that is not IAM's: unslashed, with spaces or non-ASCII, or over 512 characters", () => {
    for (const bad of ["delivery", "/delivery", "delivery/", "//", "/a b/", "/é/", "", 1]) {
      assert.deepEqual(messages({ path: bad }), [
        `role.path is ${JSON.stringify(bad)}; ${pathAllowed}`,
      ]);
    }
    assert.deepEqual(messages({ path: `/${"a".repeat(510)}/` }), []);
    const tooLong = `/${"a".repeat(511)}/`;
    assert.equal(messages({ path: tooLong })[0].slice(0, 13), "role.path is ");
    assert.equal(messages({ path: tooLong }).length, 1);
  });

  it("reports every problem of the role at once, a misspelt setting among them", () => {
    assert.deepEqual(
      messages({ permissionsBoundary: "x", maxSessionDuration: 60, path: "x", sessionDuration: 1 }),
      [
        "role.sessionDuration is not a setting; allowed: permissionsBoundary, maxSessionDuration, path",
        `role.permissionsBoundary is "x"; ${boundaryAllowed}`,
        `role.maxSessionDuration is 60; ${durationAllowed}`,
        `role.path is "x"; ${pathAllowed}`,
      ],
    );
    assert.deepEqual(messages("admin"), [
      'role is "admin"; must be an object with any of permissionsBoundary, maxSessionDuration, path',
    ]);
  });

  it("sets the boundary, the session duration and the path on the push role; its ARN carries the path", async () => {
    const run = await runProgram(() => {
      const pipeline = new TrustedDeliveryPipeline("payments-api", {
        ...minimalPipelineArgs,
        role: { permissionsBoundary: boundary, maxSessionDuration: 7200, path: "/delivery/" },
      });
      return { roleArn: pipeline.roleArn };
    });
    const role = single(run, awsTypes.iamRole).inputs;
    assert.equal(role.permissionsBoundary, boundary);
    assert.equal(role.maxSessionDuration, 7200);
    assert.equal(role.path, "/delivery/");
    assert.equal(
      run.outputs.roleArn,
      "arn:aws:iam::123456789012:role/delivery/ecr-push-dev-payments-api",
    );
  });

  it("passes a boundary known only once resources exist (a policy of the same program) to the role", async () => {
    const run = await runProgram(() => {
      const policy = new aws.iam.Policy("boundary", {
        name: "ecr-push-boundary",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "ecr:*", Resource: "*" }],
        }),
      });
      const args: TrustedDeliveryPipelineArgs = {
        ...minimalPipelineArgs,
        role: { permissionsBoundary: policy.arn },
      };
      new TrustedDeliveryPipeline("payments-api", args);
      return { policyArn: policy.arn };
    });
    const role = single(run, awsTypes.iamRole).inputs;
    assert.equal(run.outputs.policyArn, "arn:aws:iam::123456789012:policy/ecr-push-boundary");
    assert.equal(role.permissionsBoundary, run.outputs.policyArn);
  });
});

describe("push role settings through the platform config and add-app", () => {
  const source = { project: "trusted-delivery-platform", stack: "dev", file: "Pulumi.dev.yaml" };
  const app = {
    metadata: { id: "REGISTRY_PAYMENTS_API", owner: "team-payments", risk: "medium" },
    github: { repository: "acme/payments-api" },
  };

  it("takes an app's role settings into its pipeline's settings", () => {
    const config = parsePlatformConfig(source, {
      apps: { "payments-api": { ...app, role: { maxSessionDuration: 7200, path: "/delivery/" } } },
    });
    assert.deepEqual(config.apps["payments-api"].settings.role, {
      maxSessionDuration: 7200,
      path: "/delivery/",
    });
  });

  it("refuses an app's bad role setting under its config key, naming the stack file", () => {
    assert.throws(
      () =>
        parsePlatformConfig(source, {
          apps: { "payments-api": { ...app, role: { maxSessionDuration: 86400 } } },
        }),
      {
        message: `Stack "dev" config (Pulumi.dev.yaml) has an invalid argument:\n  - trusted-delivery-platform:apps.payments-api.role.maxSessionDuration is 86400; ${durationAllowed}`,
      },
    );
  });

  it("add-app writes only the role settings asked for, and blames a bad one on its option", () => {
    const request = {
      app: "payments-api",
      owner: "team-payments",
      repository: "acme/payments-api",
      stacks: ["dev"],
    };
    assert.equal(appEntry(request).role, undefined);
    assert.deepEqual(
      appEntry({ ...request, permissionsBoundary: boundary, maxSessionDuration: 7200 }).role,
      { permissionsBoundary: boundary, maxSessionDuration: 7200 },
    );
    assert.deepEqual(appEntry({ ...request, rolePath: "/delivery/" }).role, {
      path: "/delivery/",
    });
    const { root } = tempPlatformProject();
    const project = findProject(root);
    assert.throws(() => planAddApp(project, { ...request, rolePath: "delivery" }), {
      message: `add-app has an invalid argument:\n  - --role-path is "delivery"; ${pathAllowed}`,
    });
    assert.throws(() => planAddApp(project, { ...request, permissionsBoundary: "boundary" }), {
      message: `add-app has an invalid argument:\n  - --permissions-boundary is "boundary"; ${boundaryAllowed}`,
    });
  });

  it("add-app refuses a --max-session-duration that is not a number of seconds in IAM's range", async () => {
    const { root } = tempPlatformProject();
    for (const [given, shown] of [
      ["two hours", '"two hours"'],
      ["60", "60"],
    ]) {
      await assert.rejects(
        addAppCommand.run(
          ["payments-api"],
          {
            cwd: root,
            owner: "team-payments",
            "github-repository": "acme/payments-api",
            stack: ["dev"],
            "max-session-duration": given,
          },
          undefined as never,
        ),
        { message: `--max-session-duration is ${shown}; ${durationAllowed}` },
      );
    }
  });
});
