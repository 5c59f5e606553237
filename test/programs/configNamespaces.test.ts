import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { planStack } from "../../cli/preview";
import { runOfflineSettled } from "../../cli/preview/capture";
import { OfflineMocks } from "../../cli/preview/mocks";
import { InvalidInputError } from "../../cli/core/errors";
import { findProject, readStackConfig } from "../../cli/workspace/project";
import { InvalidArgumentsError } from "../../components/invalidArguments";
import { configNamespaceProblems, didYouMean, editDistance } from "../../components/stackConfig";
import { platformWarnings } from "../../programs/platform/config";
import { platform } from "../../programs/platform/platform";
import { runExpectingError, runProgram, testAccount } from "../helpers/offline";
import { tempPlatformProject } from "../helpers/tempProject";

const ns = "trusted-delivery-platform";
const source = { project: ns, stack: "dev", file: "programs/platform/Pulumi.dev.yaml" };
const app = {
  metadata: { id: "REGISTRY_PAYMENTS_API", owner: "team-payments", risk: "medium" },
  github: { repository: "acme/payments-api" },
};
const apps = JSON.stringify({ "payments-api": app });

const noAppsWarning = `Stack "dev" config (programs/platform/Pulumi.dev.yaml): ${ns}:apps is missing; the stack has no apps, so it deploys no pipeline: add one with trusted-delivery add-app <app> --stack dev`;
const noRegionWarning =
  "Stack \"dev\" config (programs/platform/Pulumi.dev.yaml): aws:region is missing; set the stack's region (pulumi config set aws:region <region> -s dev): without it the AWS provider takes the region of whoever runs pulumi up (AWS_REGION, AWS_DEFAULT_REGION or their AWS profile), and creates the stack's registries there";

describe("editDistance", () => {
  it("counts insertions, deletions, substitutions and adjacent swaps as one edit each", () => {
    assert.equal(editDistance("platform", "platform"), 0);
    assert.equal(editDistance("platform", "platfrom"), 1);
    assert.equal(editDistance("apps", "aps"), 1);
    assert.equal(editDistance("aps", "apps"), 1);
    assert.equal(editDistance("apps", "appz"), 1);
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(editDistance("", "abc"), 3);
    assert.equal(editDistance("abc", ""), 3);
    // Optimal string alignment: no substring is edited twice, so "ca" to "abc" takes three.
    assert.equal(editDistance("ca", "abc"), 3);
  });
});

describe("didYouMean", () => {
  const project = ["trusted-delivery-platform"];

  it("suggests a name that differs only in case or separators", () => {
    for (const value of [
      "Trusted-Delivery-Platform",
      "trusted_delivery_platform",
      "trusted.delivery.platform",
      "TrustedDeliveryPlatform",
    ]) {
      assert.equal(didYouMean(value, project), "trusted-delivery-platform", value);
    }
  });

  it("suggests a long name up to two edits away, and not three", () => {
    assert.equal(didYouMean("trusted-delivery-platfrom", project), "trusted-delivery-platform");
    assert.equal(didYouMean("trusted-delivery-platforms", project), "trusted-delivery-platform");
    assert.equal(didYouMean("trusted-delivry-platfrm", project), "trusted-delivery-platform");
    assert.equal(didYouMean("trusted-dlivry-platfrm", project), undefined);
    assert.equal(didYouMean("trusted-delivery", project), undefined);
  });

  it("allows one edit for names of 4 to 7 characters, and none for shorter ones", () => {
    assert.equal(didYouMean("aps", ["apps"]), "apps");
    assert.equal(didYouMean("githb", ["github"]), "github");
    assert.equal(didYouMean("gthb", ["github"]), undefined);
    assert.equal(didYouMean("aws", ["app"]), undefined);
    assert.equal(didYouMean("AWS", ["aws"]), "aws");
  });

  it("gives the nearest candidate, the first given of equally near ones, and nothing for a candidate itself", () => {
    assert.equal(didYouMean("enviroment", ["environments", "environment"]), "environment");
    assert.equal(didYouMean("plam", ["plan", "play"]), "plan");
    assert.equal(didYouMean("plam", ["play", "plan"]), "play");
    assert.equal(didYouMean("apps", ["apps", "app"]), undefined);
    assert.equal(didYouMean("anything", []), undefined);
  });
});

describe("configNamespaceProblems", () => {
  it("names each key whose namespace looks like a slip for the project's, with the key meant", () => {
    assert.deepEqual(
      configNamespaceProblems(ns, [
        "trusted-delivery-platfrom:apps",
        "Trusted-Delivery-Platform:environment",
        "trusted_delivery_platform:registryScanning",
      ]),
      [
        {
          field: "trusted-delivery-platfrom:apps",
          message:
            "trusted-delivery-platfrom:apps has unknown namespace trusted-delivery-platfrom; did you mean trusted-delivery-platform:apps?",
        },
        {
          field: "Trusted-Delivery-Platform:environment",
          message:
            "Trusted-Delivery-Platform:environment has unknown namespace Trusted-Delivery-Platform; did you mean trusted-delivery-platform:environment?",
        },
        {
          field: "trusted_delivery_platform:registryScanning",
          message:
            "trusted_delivery_platform:registryScanning has unknown namespace trusted_delivery_platform; did you mean trusted-delivery-platform:registryScanning?",
        },
      ],
    );
  });

  it("leaves the project's keys, bare keys, and the namespaces of other packages alone", () => {
    assert.deepEqual(
      configNamespaceProblems(ns, [
        "trusted-delivery-platform:apps",
        "apps",
        "aws:region",
        "github:token",
        "pulumi:tags",
        "terraform:version",
        "random:seed",
        "trusted-delivery:anything",
        ":odd",
      ]),
      [],
    );
  });

  it("never refuses a known provider's namespace, even one near the project's name", () => {
    assert.deepEqual(configNamespaceProblems("githubs", ["github:token", "aws:region"]), []);
    assert.equal(configNamespaceProblems("githubs", ["githbus:token"]).length, 1);
  });
});

describe("platformWarnings", () => {
  it("warns of a stack with no apps, missing or empty, and of one without aws:region", () => {
    assert.deepEqual(platformWarnings(source, { apps: {} }, ["aws:region"]), [
      {
        field: `${ns}:apps`,
        message: `${ns}:apps is {}; the stack has no apps, so it deploys no pipeline: add one with trusted-delivery add-app <app> --stack dev`,
      },
    ]);
    assert.deepEqual(
      platformWarnings(source, {}, []).map((w) => w.field),
      [`${ns}:apps`, "aws:region"],
    );
  });

  it("has nothing to say of a stack with apps and a region", () => {
    assert.deepEqual(
      platformWarnings(source, { apps: { "payments-api": app } }, ["aws:region"]),
      [],
    );
  });
});

describe("the platform program and config namespaces", () => {
  it("refuses every key in a namespace that looks like the project's, with every other problem, and registers nothing", async () => {
    const { error, registered } = await runExpectingError(platform, {
      project: ns,
      stack: "dev",
      config: {
        "trusted-delivery-platfrom:apps": apps,
        "Trusted-Delivery-Platform:environment": "dev",
        [`${ns}:aps`]: apps,
        "github:owner": "acme",
        "aws:defaultTags": JSON.stringify({ tags: { Team: "platform" } }),
      },
    });
    assert.ok(error instanceof InvalidArgumentsError);
    assert.equal(
      error.message,
      [
        'Stack "dev" config (programs/platform/Pulumi.dev.yaml) has 3 invalid arguments:',
        "  - trusted-delivery-platfrom:apps has unknown namespace trusted-delivery-platfrom; did you mean trusted-delivery-platform:apps?",
        "  - Trusted-Delivery-Platform:environment has unknown namespace Trusted-Delivery-Platform; did you mean trusted-delivery-platform:environment?",
        "  - trusted-delivery-platform:aps is not a setting; allowed: environment, githubOidcProviderArn, githubOidcIssuer, terraformState, registryScanning, registrySigning, signingProfileArn, pull, apps",
      ].join("\n"),
    );
    assert.deepEqual(registered, []);
  });

  it("runs a stack whose other namespaces are far from the project's, without a warning", async () => {
    const run = await runProgram(platform, {
      project: ns,
      stack: "dev",
      config: { [`${ns}:apps`]: apps, "github:owner": "acme", "pulumi:tags": "{}" },
    });
    assert.deepEqual(Object.keys(run.outputs.apps), ["payments-api"]);
    assert.deepEqual(run.logs, []);
  });

  it("warns, naming the stack file, of a stack with no apps", async () => {
    const run = await runProgram(platform, { project: ns, stack: "dev", config: {} });
    assert.deepEqual(run.logs, [{ severity: "warning", message: noAppsWarning }]);
    assert.deepEqual(run.outputs.apps, {});
  });

  it("warns, naming the stack file, of a stack without aws:region", async () => {
    const run = await runOfflineSettled({
      project: ns,
      stack: "dev",
      config: { [`${ns}:apps`]: apps },
      mocks: new OfflineMocks(testAccount),
      program: platform,
    });
    assert.ok(!("error" in run));
    assert.deepEqual(run.logs, [{ severity: "warning", message: noRegionWarning }]);
  });
});

describe("the CLI's readers and config namespaces", () => {
  it("readStackConfig refuses a stack file with a namespace slip, naming the file and the key meant", () => {
    const { project, stackFile } = tempPlatformProject();
    const text = fs.readFileSync(stackFile("dev"), "utf8");
    fs.writeFileSync(
      stackFile("dev"),
      text.replace(`${ns}:apps:`, "trusted-delivery-platfrom:apps:"),
    );
    assert.throws(
      () => readStackConfig(project, "dev"),
      (error: Error) => {
        assert.ok(error instanceof InvalidInputError);
        assert.equal(
          error.message,
          [
            'Stack "dev" config (programs/platform/Pulumi.dev.yaml) has an invalid argument:',
            "  - trusted-delivery-platfrom:apps has unknown namespace trusted-delivery-platfrom; did you mean trusted-delivery-platform:apps?",
          ].join("\n"),
        );
        return true;
      },
    );
  });

  it("the project file's config is refused for a namespace slip too", () => {
    const { root } = tempPlatformProject();
    const file = path.join(root, "Pulumi.yaml");
    fs.appendFileSync(file, "config:\n  trusted-delivery-platfrom:registryScanning: managed\n");
    assert.throws(() => findProject(root), {
      message: [
        `Pulumi project file ${file} has an invalid argument:`,
        "  - config.trusted-delivery-platfrom:registryScanning has unknown namespace trusted-delivery-platfrom; did you mean trusted-delivery-platform:registryScanning?",
      ].join("\n"),
    });
  });

  it("the offline plan of a comment-only stack file has no apps, and says so and that the region is not set", async () => {
    const { project, stackFile } = tempPlatformProject();
    fs.writeFileSync(stackFile("dev"), "# The development account; no apps yet.\n");
    const plan = await planStack(project, "dev");
    assert.deepEqual(plan.apps, []);
    assert.deepEqual(plan.logs, [
      { severity: "warning", message: noAppsWarning },
      { severity: "warning", message: noRegionWarning },
    ]);
  });
});
