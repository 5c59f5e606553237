import { strict as assert } from "assert";
import * as fs from "fs";
import YAML from "yaml";
import { main } from "../../cli/main";
import { formatPlan, planStack } from "../../cli/preview";
import { mockedGitHubIdsNote, offlineGitHubIds } from "../../cli/preview/mocks";
import { AddAppRequest, planAddApp, workflowOption } from "../../cli/selfService/addApp";
import { awsTypes } from "../../policy-pack/governance/typeTokens";
import { snapshot, tempPlatformProject } from "../helpers/tempProject";

const TEMPLATE =
  "github:index/actionsRepositoryOidcSubjectClaimCustomizationTemplate:ActionsRepositoryOidcSubjectClaimCustomizationTemplate";
const issuer = "token.actions.githubusercontent.com";
const billing = ["--owner", "team-billing", "--github-repository", "acme/billing-api"];
const buildPush = "acme/platform-workflows/.github/workflows/build-push.yml@refs/tags/v1";

/** Runs the CLI in this process, as `trusted-delivery <argv>` would; returns what it wrote. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const written = { stdout: "", stderr: "" };
  const { stdout, stderr } = process;
  const write = (stream: "stdout" | "stderr") => (chunk: unknown) => {
    written[stream] += String(chunk);
    return true;
  };
  const original = { out: stdout.write, err: stderr.write };
  stdout.write = write("stdout") as typeof stdout.write;
  stderr.write = write("stderr") as typeof stderr.write;
  try {
    const code = await main(argv);
    return { code, ...written };
  } finally {
    stdout.write = original.out;
    stderr.write = original.err;
  }
}

/** The billing-api entry of a stack file, as the platform program reads it. */
function billingEntry(file: string): unknown {
  return YAML.parse(fs.readFileSync(file, "utf8")).config["trusted-delivery-platform:apps"][
    "billing-api"
  ];
}

describe("trusted-delivery add-app: trust by identity", function () {
  this.timeout(60000);

  it("writes trust: id for a new app unless told otherwise", async () => {
    const { root, stackFile } = tempPlatformProject();
    const run = await cli(["add-app", "billing-api", ...billing, "-s", "dev", "--cwd", root]);
    assert.equal(run.stderr, "");
    assert.equal(run.code, 0);
    assert.deepEqual(billingEntry(stackFile("dev")), {
      metadata: { id: "REGISTRY_BILLING_API", owner: "team-billing", risk: "medium" },
      github: { repository: "acme/billing-api", trust: "id" },
    });
  });

  it("--trust name leaves the pipeline's default, trust by name, and writes no trust", async () => {
    const { root, stackFile } = tempPlatformProject();
    const run = await cli([
      "add-app",
      "billing-api",
      ...billing,
      "--trust",
      "name",
      "-s",
      "dev",
      "--cwd",
      root,
    ]);
    assert.equal(run.code, 0);
    assert.deepEqual(billingEntry(stackFile("dev")), {
      metadata: { id: "REGISTRY_BILLING_API", owner: "team-billing", risk: "medium" },
      github: { repository: "acme/billing-api" },
    });
  });

  it("--workflow, repeated, writes each reusable workflow as repository, path and ref", async () => {
    const { root, stackFile } = tempPlatformProject();
    const sha = "0123456789abcdef0123456789abcdef01234567";
    const run = await cli([
      "add-app",
      "billing-api",
      ...billing,
      "--workflow",
      buildPush,
      "--workflow",
      `acme/billing-api/.github/workflows/release.yaml@${sha}`,
      "-s",
      "dev",
      "--cwd",
      root,
    ]);
    assert.equal(run.stderr, "");
    assert.deepEqual((billingEntry(stackFile("dev")) as { github: unknown }).github, {
      repository: "acme/billing-api",
      trust: "id",
      workflows: [
        {
          repository: "acme/platform-workflows",
          path: ".github/workflows/build-push.yml",
          ref: "refs/tags/v1",
        },
        { repository: "acme/billing-api", path: ".github/workflows/release.yaml", ref: sha },
      ],
    });
  });

  it("reads a --workflow ref holding @ as the ref, after the path's first @", () => {
    assert.deepEqual(workflowOption("acme/wf/.github/workflows/a.yml@refs/heads/team@2026"), {
      repository: "acme/wf",
      path: ".github/workflows/a.yml",
      ref: "refs/heads/team@2026",
    });
  });

  it("refuses a --workflow that is not owner/name/path@ref, and writes nothing", async () => {
    const { root, stackFile } = tempPlatformProject();
    const untouched = snapshot(stackFile("dev"));
    const run = await cli([
      "add-app",
      "billing-api",
      ...billing,
      "--workflow",
      "build-push.yml",
      "-s",
      "dev",
      "--cwd",
      root,
    ]);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      'error: --workflow is "build-push.yml"; must be <owner>/<name>/.github/workflows/<file>.yml@<ref>, e.g. acme/platform-workflows/.github/workflows/build-push.yml@refs/heads/main\n',
    );
    assert.deepEqual(snapshot(stackFile("dev")), untouched);
  });

  it("blames a bad --trust and a bad --workflow part on the option, with the pipeline's own words", () => {
    const { project } = tempPlatformProject();
    const request: AddAppRequest = {
      app: "billing-api",
      owner: "team-billing",
      repository: "acme/billing-api",
      trust: "ids",
      workflows: ["acme/platform-workflows/.github/workflows/build-push.yml@main"],
      stacks: ["dev"],
    };
    assert.throws(
      () => planAddApp(project, request),
      (e: Error) => {
        assert.equal(
          e.message,
          [
            "add-app has 2 invalid arguments:",
            '  - --trust is "ids"; must be one of "name", "id": "name" trusts the repository by its name (the default), "id" by GitHub\'s ids of it and its owner',
            '  - --workflow is "main"; must be the ref the workflow is called at, as GitHub writes it in job_workflow_ref: "refs/heads/<branch>", "refs/tags/<tag>" (either may hold * patterns) or a full 40-digit lower-case commit SHA; anything else matches no job, e.g. "refs/heads/main", "refs/tags/v1" or "refs/tags/v1.*"',
          ].join("\n"),
        );
        return true;
      },
    );
  });

  it("the platform program passes trust and workflows on: the offline plan pins the mocked ids and says so", async () => {
    const { root, project } = tempPlatformProject();
    const run = await cli([
      "add-app",
      "billing-api",
      ...billing,
      "--workflow",
      buildPush,
      "-s",
      "dev",
      "--cwd",
      root,
    ]);
    assert.equal(run.code, 0);
    const plan = await planStack(project, "dev");
    const { ownerId, repositoryId } = offlineGitHubIds("acme/billing-api");
    const role = plan.run.resources.find(
      (r) => r.type === awsTypes.iamRole && r.name === "billing-api-push-role",
    )!;
    assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Condition, {
      StringEquals: {
        [`${issuer}:aud`]: "sts.amazonaws.com",
        [`${issuer}:sub`]: [
          "repo:acme/billing-api:ref:refs/heads/main",
          `repo:acme@${ownerId}/billing-api@${repositoryId}:ref:refs/heads/main`,
        ],
        [`${issuer}:repository_id`]: String(repositoryId),
        [`${issuer}:repository_owner_id`]: String(ownerId),
        [`${issuer}:job_workflow_ref`]: [buildPush],
      },
    });
    assert.deepEqual(
      plan.run.resources.filter((r) => r.type === TEMPLATE).map((r) => [r.name, r.inputs]),
      [["billing-api-oidc-subject-template", { repository: "billing-api", useDefault: true }]],
    );
    const text = formatPlan(plan);
    assert.ok(
      text.split("\n").includes(`warning: ${mockedGitHubIdsNote("acme/billing-api")}`),
      text,
    );
  });
});
