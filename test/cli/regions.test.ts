import { strict as assert } from "assert";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { awsRegionList, knownRegions, regionStatus } from "../../components/awsRegions";
import { readAwsSettings, regionProblem } from "../../cli/workspace/awsConfig";
import { builtPackage, runCli, runCliAsync } from "../helpers/cli";
import { awsEnv } from "../helpers/moto";
import { snapshotTree, tempPlatformProject } from "../helpers/tempProject";

/** The SDK's own endpoint resolver: it gives a region's description only when it lists it. */
const { partition } = require("@aws-sdk/core/client") as {
  partition(region: string): { name: string; description?: string };
};

const sdkCore = `@aws-sdk/core ${require("@aws-sdk/core/package.json").version}`;

/** What the SDK is told of a region of its form it does not list, for messages. */
const unlisted = (partitionId: string) =>
  `must be a region the AWS SDK lists, and ${sdkCore} lists none of this name in partition ${partitionId} (if AWS launched it since, upgrade the SDK: npm update @aws-sdk/core)`;

const message = (field: string, value: unknown) => regionProblem(field, value)?.message;

/** A loopback port nothing listens on: any AWS call there is refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("AWS region names", () => {
  describe("the list, as the AWS SDK installed has it", () => {
    it("is read from the SDK the ECR client loads, and names its version", () => {
      assert.equal(awsRegionList().source, sdkCore);
      assert.deepEqual(
        awsRegionList().partitions.map((p) => p.id),
        [
          "aws",
          "aws-cn",
          "aws-eusc",
          "aws-iso",
          "aws-iso-b",
          "aws-iso-e",
          "aws-iso-f",
          "aws-us-gov",
        ],
      );
    });

    it("holds exactly the regions the SDK's own endpoint resolver lists, each in its partition", () => {
      const regions = knownRegions();
      assert.ok(regions.length > 40, `only ${regions.length} regions`);
      for (const region of [
        "eu-west-2",
        "us-east-1",
        "cn-north-1",
        "us-gov-west-1",
        "eusc-de-east-1",
      ]) {
        assert.ok(regions.includes(region), region);
      }
      for (const region of regions) {
        const resolved = partition(region);
        assert.ok(resolved.description !== undefined, `the SDK does not list ${region}`);
        assert.deepEqual(regionStatus(region), { kind: "listed", partition: resolved.name });
      }
      for (const slip of ["eu-wst-2", "eu-west-9", "cn-north-2"]) {
        assert.equal(partition(slip).description, undefined, slip);
      }
    });

    it("leaves out the pseudo-regions of global endpoints, which the SDK lists beside the regions", () => {
      for (const pseudo of ["aws-global", "aws-cn-global", "aws-us-gov-global"]) {
        assert.ok(partition(pseudo).description !== undefined, `the SDK no longer lists ${pseudo}`);
        assert.ok(!knownRegions().includes(pseudo), pseudo);
        assert.deepEqual(regionStatus(pseudo), { kind: "unknown" });
      }
    });
  });

  describe("regionProblem", () => {
    it("accepts every region the SDK lists, in every partition", () => {
      assert.deepEqual(
        knownRegions().filter((region) => regionProblem("--region", region) !== undefined),
        [],
      );
    });

    it("refuses a slip of a region's form, naming the field, the value and the region meant", () => {
      assert.equal(
        message("--region", "eu-wst-2"),
        `--region is "eu-wst-2"; ${unlisted("aws")}; did you mean "eu-west-2"?`,
      );
      assert.equal(
        message("aws:region", "cn-north-2"),
        `aws:region is "cn-north-2"; ${unlisted("aws-cn")}; did you mean "cn-north-1"?`,
      );
    });

    it("refuses a region of a partition's form the SDK does not list, saying which SDK and to upgrade it, with every nearest region", () => {
      assert.equal(
        message("--region", "eu-west-9"),
        `--region is "eu-west-9"; ${unlisted("aws")}; did you mean "eu-west-1" or "eu-west-2" or "eu-west-3"?`,
      );
    });

    it("refuses what has no region's form, suggesting a region only when one is near", () => {
      assert.equal(
        message("--region", "moon-1"),
        '--region is "moon-1"; must be an AWS region, e.g. "eu-west-2"',
      );
      assert.equal(
        message("--region", "EU-WEST-2"),
        '--region is "EU-WEST-2"; must be an AWS region, e.g. "eu-west-2"; did you mean "eu-west-2"?',
      );
      assert.equal(
        message("--region", "euwest2"),
        '--region is "euwest2"; must be an AWS region, e.g. "eu-west-2"; did you mean "eu-west-2"?',
      );
      assert.equal(
        message("--region", "aws-global"),
        '--region is "aws-global"; must be an AWS region, e.g. "eu-west-2"',
      );
      assert.equal(
        message("aws:region", 2),
        'aws:region is 2; must be an AWS region, e.g. "eu-west-2"',
      );
    });
  });

  describe("aws:region in a stack file", () => {
    it("is checked against the regions, as the stack file has it", () => {
      assert.deepEqual(readAwsSettings({ "aws:region": "eu-west-2" }).settings.region, "eu-west-2");
      const { settings, problems } = readAwsSettings({ "aws:region": "eu-wst-2" });
      assert.equal(settings.region, undefined);
      assert.deepEqual(problems, [
        {
          field: "aws:region",
          message: `aws:region is "eu-wst-2"; ${unlisted("aws")}; did you mean "eu-west-2"?`,
        },
      ]);
      assert.deepEqual(readAwsSettings({ "aws:region": ["eu-west-2"] }).problems, [
        {
          field: "aws:region",
          message: 'aws:region is ["eu-west-2"]; must be an AWS region, e.g. "eu-west-2"',
        },
      ]);
    });
  });

  describe("the commands", function () {
    this.timeout(180000);
    const dev = 'Adopting from AWS into stack "dev" (programs/platform/Pulumi.dev.yaml)';
    let env: NodeJS.ProcessEnv;

    before(async () => {
      builtPackage();
      // Nothing answers: a region refused must be refused before AWS is asked anything.
      env = awsEnv(`http://127.0.0.1:${await closedPort()}`);
    });

    it("adopt-aws refuses --region eu-wst-2, before reading anything", async () => {
      const { root, stackFile } = tempPlatformProject();
      fs.writeFileSync(
        stackFile("dev"),
        fs.readFileSync(stackFile("dev"), "utf8").replace("  aws:region: eu-west-2\n", ""),
      );
      const before = snapshotTree(root);
      const result = await runCliAsync(
        [
          "adopt-aws",
          "--cwd",
          root,
          "--stack",
          "dev",
          "--registry",
          "catalog-api",
          "--region",
          "eu-wst-2",
        ],
        { env },
      );
      assert.equal(
        result.stderr,
        `error: ${dev} has an invalid argument:\n  - --region is "eu-wst-2"; ${unlisted("aws")}; did you mean "eu-west-2"?\n`,
      );
      assert.equal(result.code, 2);
      assert.deepEqual(snapshotTree(root), before);
    });

    it("adopt-aws refuses a stack whose aws:region is eu-wst-2, naming the key", async () => {
      const { root, stackFile } = tempPlatformProject();
      fs.writeFileSync(
        stackFile("dev"),
        fs
          .readFileSync(stackFile("dev"), "utf8")
          .replace("  aws:region: eu-west-2\n", "  aws:region: eu-wst-2\n"),
      );
      const result = await runCliAsync(
        ["adopt-aws", "--cwd", root, "--stack", "dev", "--registry", "catalog-api"],
        { env },
      );
      assert.equal(
        result.stderr,
        `error: ${dev} has an invalid argument:\n  - aws:region is "eu-wst-2"; ${unlisted("aws")}; did you mean "eu-west-2"?\n`,
      );
      assert.equal(result.code, 2);
    });

    it("audit refuses --region eu-wst-2, before reading anything", () => {
      // Needs cli/commands/audit.ts to check each --region with regionProblem.
      const result = runCli(["audit", "--region", "eu-wst-2", "--region", "eu-west-2"], { env });
      assert.equal(result.stdout, "");
      assert.equal(
        result.stderr,
        `error: --region is "eu-wst-2"; ${unlisted("aws")}; did you mean "eu-west-2"?\n`,
      );
      assert.equal(result.code, 2);
    });

    it("reads the list from the installed package in the built CLI too", () => {
      const built = require(path.join(builtPackage(), "dist/components/awsRegions.js")) as {
        awsRegionList(): { source: string };
      };
      assert.equal(built.awsRegionList().source, sdkCore);
    });
  });
});
