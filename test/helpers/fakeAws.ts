import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * One fake answer of the fake `aws` executable: what it prints (the response JSON on stdout, an
 * error on stderr) and its exit code (the AWS CLI exits 254 on a service error).
 */
export interface FakeAwsAnswer {
  readonly stdout?: unknown;
  readonly stderr?: string;
  readonly exitCode?: number;
}

/**
 * The fake `aws`: records each call's arguments, one line each, and answers each call of an
 * operation (`aws ecr <operation> ...`) with the next of that operation's fake answers, in
 * order; the last one repeats (a scan that never finishes). Plain bash reading files the test
 * wrote (`<operation>.<n>.stdout`, `.stderr`, `.status`), so polling thirty times stays fast.
 */
const fakeAwsScript = `#!/usr/bin/env bash
# A fake aws CLI for tests: fake answers, in order, per operation; the last repeats.
set -euo pipefail
printf '%s\\n' "$*" >>"$FAKE_AWS_DIR/calls.log"
operation="$2"
if [[ ! -e "$FAKE_AWS_DIR/$operation.total" ]]; then
  echo "fake aws: no fake answers for $operation" >&2
  exit 2
fi
count=0
if [[ -e "$FAKE_AWS_DIR/$operation.count" ]]; then count="$(<"$FAKE_AWS_DIR/$operation.count")"; fi
count=$((count + 1))
echo "$count" >"$FAKE_AWS_DIR/$operation.count"
total="$(<"$FAKE_AWS_DIR/$operation.total")"
answer="$FAKE_AWS_DIR/$operation.$((count < total ? count : total))"
cat "$answer.stdout"
cat "$answer.stderr" >&2
exit "$(<"$answer.status")"
`;

/** What a step's script did, run against the fake `aws`. */
export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The job summary the script wrote (`$GITHUB_STEP_SUMMARY`). */
  readonly summary: string;
  /** The step outputs it wrote (`$GITHUB_OUTPUT`). */
  readonly output: string;
  /** The arguments of each `aws` call, in order. */
  readonly awsCalls: string[];
}

/**
 * Runs a `run:` script as GitHub runs one on Linux (`bash --noprofile --norc -eo pipefail`),
 * with only `env` (and PATH) set, a fake `aws` first on PATH answering with `answers` (by
 * operation, e.g. `describe-image-scan-findings`), and fresh files for the job summary and the
 * step outputs.
 */
export function runWithFakeAws(
  script: string,
  env: Readonly<Record<string, string>>,
  answers: Readonly<Record<string, readonly FakeAwsAnswer[]>> = {},
): ScriptRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "td-fake-aws-"));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, "aws"), fakeAwsScript, { mode: 0o755 });
  for (const [operation, list] of Object.entries(answers)) {
    fs.writeFileSync(path.join(dir, `${operation}.total`), String(list.length));
    list.forEach((answer, index) => {
      const file = path.join(dir, `${operation}.${index + 1}`);
      const stdout =
        answer.stdout === undefined ? "" : `${JSON.stringify(answer.stdout, null, 4)}\n`;
      fs.writeFileSync(`${file}.stdout`, stdout);
      fs.writeFileSync(`${file}.stderr`, answer.stderr ?? "");
      fs.writeFileSync(`${file}.status`, String(answer.exitCode ?? 0));
    });
  }
  const summary = path.join(dir, "summary.md");
  const output = path.join(dir, "output.txt");
  fs.writeFileSync(summary, "");
  fs.writeFileSync(output, "");
  const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
    env: {
      PATH: `${bin}${path.delimiter}${process.env.PATH}`,
      FAKE_AWS_DIR: dir,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
      ...env,
    },
    encoding: "utf8",
  });
  const calls = path.join(dir, "calls.log");
  const run: ScriptRun = {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    summary: fs.readFileSync(summary, "utf8"),
    output: fs.readFileSync(output, "utf8"),
    awsCalls: fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trimEnd().split("\n") : [],
  };
  fs.rmSync(dir, { recursive: true, force: true });
  return run;
}

/** The fake account, repository URL and digest the scripts are run against. */
export const fakeRegistryId = "123456789012";
export const fakeImage = `${fakeRegistryId}.dkr.ecr.eu-west-2.amazonaws.com/payments-api`;
export const fakeDigest = `sha256:${"4f".repeat(32)}`;

/** A basic scanning finding (`ImageScanFinding`), as the API reference shapes it. */
export function fakeBasicFinding(name: string, severity: string) {
  return {
    name,
    description: `A fake vulnerability, ${name}.`,
    uri: `https://security-tracker.debian.org/tracker/${name}`,
    severity,
    attributes: [
      { key: "package_version", value: "3.0.11-1~deb12u2" },
      { key: "package_name", value: "openssl" },
      { key: "CVSS3_VECTOR", value: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" },
      { key: "CVSS3_SCORE", value: "9.8" },
    ],
  };
}

/**
 * An enhanced scanning finding (`EnhancedImageScanFinding`, Amazon Inspector's), as the API
 * reference shapes it; without a vulnerability id when `vulnerabilityId` is undefined.
 */
export function fakeEnhancedFinding(
  vulnerabilityId: string | undefined,
  title: string,
  severity: string,
) {
  return {
    awsAccountId: fakeRegistryId,
    description: `A fake vulnerability: ${title}.`,
    findingArn: `arn:aws:inspector2:eu-west-2:${fakeRegistryId}:finding/0123456789abcdef0123456789abcdef`,
    firstObservedAt: "2026-03-01T10:00:00+00:00",
    lastObservedAt: "2026-03-01T10:00:00+00:00",
    packageVulnerabilityDetails: {
      cvss: [
        {
          baseScore: 7.5,
          scoringVector: "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
          source: "NVD",
          version: "3.1",
        },
      ],
      referenceUrls: [],
      relatedVulnerabilities: [],
      source: "NVD",
      sourceUrl: "https://nvd.nist.gov/",
      vendorSeverity: severity,
      ...(vulnerabilityId === undefined ? {} : { vulnerabilityId }),
      vulnerablePackages: [
        {
          name: "openssl",
          version: "3.0.11",
          release: "1~deb12u2",
          arch: "X86_64",
          packageManager: "OS",
          epoch: 0,
          fixedInVersion: "3.0.13",
        },
      ],
    },
    remediation: { recommendation: { text: "Upgrade openssl to 3.0.13." } },
    resources: [
      {
        details: {
          awsEcrContainerImage: {
            architecture: "amd64",
            imageHash: fakeDigest,
            imageTags: [],
            platform: "DEBIAN_12",
            pushedAt: "2026-03-01T09:59:00+00:00",
            registry: fakeRegistryId,
            repositoryName: "payments-api",
          },
        },
        id: `arn:aws:ecr:eu-west-2:${fakeRegistryId}:repository/payments-api/${fakeDigest}`,
        type: "AWS_ECR_CONTAINER_IMAGE",
      },
    ],
    score: 7.5,
    severity,
    status: "ACTIVE",
    title,
    type: "PACKAGE_VULNERABILITY",
    updatedAt: "2026-03-01T10:00:00+00:00",
    fixAvailable: "YES",
    exploitAvailable: "NO",
  };
}

/** A fake `DescribeImageScanFindings` answer, in the API reference's response shape. */
export function fakeScanAnswer(
  status: string,
  findings: {
    readonly findings?: readonly unknown[];
    readonly enhancedFindings?: readonly unknown[];
    readonly nextToken?: string;
  } = {},
): FakeAwsAnswer {
  return {
    stdout: {
      registryId: fakeRegistryId,
      repositoryName: "payments-api",
      imageId: { imageDigest: fakeDigest },
      imageScanStatus: {
        status,
        description:
          status === "COMPLETE"
            ? "The scan was completed successfully."
            : `A fake description of ${status}.`,
      },
      imageScanFindings: {
        ...(status === "COMPLETE" || status === "ACTIVE"
          ? { imageScanCompletedAt: "2026-03-01T10:00:00+00:00" }
          : {}),
        ...(findings.findings === undefined ? {} : { findings: findings.findings }),
        ...(findings.enhancedFindings === undefined
          ? {}
          : { enhancedFindings: findings.enhancedFindings }),
      },
      ...(findings.nextToken === undefined ? {} : { nextToken: findings.nextToken }),
    },
  };
}

/** The AWS CLI's error when no scan of the image exists yet (botocore's ClientError format). */
export const fakeScanNotFound: FakeAwsAnswer = {
  stderr:
    "\nAn error occurred (ScanNotFoundException) when calling the DescribeImageScanFindings operation: " +
    `Image scan does not exist for the image with '{imageDigest:'${fakeDigest}', imageTag:'null'}' ` +
    `in the repository with name 'payments-api' in the registry with id '${fakeRegistryId}'\n`,
  exitCode: 254,
};

/** One signing profile's status (`ImageSigningStatus`). */
export interface FakeSigningStatus {
  readonly signingProfileArn: string;
  readonly status: string;
  readonly failureCode?: string;
  readonly failureReason?: string;
}

/** A fake `DescribeImageSigningStatus` answer, in the API reference's response shape. */
export function fakeSigningAnswer(signingStatuses: readonly FakeSigningStatus[]): FakeAwsAnswer {
  return {
    stdout: {
      repositoryName: "payments-api",
      imageId: { imageDigest: fakeDigest },
      registryId: fakeRegistryId,
      signingStatuses,
    },
  };
}
