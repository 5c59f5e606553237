import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import YAML from "yaml";
import { TrustedDeliveryPipelineArgs } from "../../components";
import {
  admissionPolicyName,
  kubernetesNameMaxLength,
  kyvernoAdmissionPolicy,
} from "../../components/admissionPolicy";
import { PipelineSettings, resolvePipelineSettings } from "../../components/pipelineSettings";
import { builderIdentity } from "../../components/verification";
import { registryScanPredicateType } from "../../components/workflow";
import { minimalPipelineArgs, testSigningProfileArn } from "../helpers/pipelineArgs";

/** Kyverno v1.19.0's ClusterPolicy v1 schema (see test/fixtures/README.md). */
const schemaFile = path.resolve(__dirname, "../fixtures/kyverno/clusterpolicy-v1.schema.json");

const registry = "123456789012.dkr.ecr.eu-west-2.amazonaws.com";
const url = `${registry}/payments-api`;
const digest = `sha256:${"ab".repeat(32)}`;
const buildPush = {
  repository: "acme/platform-workflows",
  path: ".github/workflows/build-push.yml",
  ref: "refs/tags/v1",
};

/** The certificate SAN GitHub gives a run of `workflow` (`owner/name/<path>`) at `ref`. */
function san(workflow: string, ref: string): string {
  return `https://github.com/${workflow}@${ref}`;
}
const appWorkflow = "acme/payments-api/.github/workflows/ci-build-push-dev.yml";

function settingsWith(github: Partial<TrustedDeliveryPipelineArgs["github"]> = {}) {
  return resolvePipelineSettings("payments-api", {
    ...minimalPipelineArgs,
    github: { ...minimalPipelineArgs.github, ...github },
  });
}

/** A high-risk app's settings: a registry findings gate at CRITICAL (and signed images). */
function highRiskSettings(github: Partial<TrustedDeliveryPipelineArgs["github"]> = {}) {
  return resolvePipelineSettings("payments-api", {
    ...minimalPipelineArgs,
    metadata: { ...minimalPipelineArgs.metadata, risk: "high" },
    signingProfileArn: testSigningProfileArn,
    github: { ...minimalPipelineArgs.github, ...github },
  });
}

/** The policy for these settings, as text and parsed, with the parts the tests read. */
function policyFor(settings: PipelineSettings = settingsWith(), repositoryUrl = url) {
  const text = kyvernoAdmissionPolicy("payments-api", settings, repositoryUrl);
  const document = YAML.parse(text);
  const verifyImage = document.spec.rules[0].verifyImages[0];
  const attestation = verifyImage.attestations[0];
  const keyless = attestation.attestors[0].entries[0].keyless;
  return { text, document, verifyImage, attestation, keyless };
}

/** The subject pattern as the tests run it: a JS RegExp agrees with RE2 on this syntax. */
function subjectMatcher(settings: PipelineSettings): RegExp {
  return new RegExp(policyFor(settings).keyless.subjectRegExp, "u");
}

/**
 * The schema as the API server applies it: a structural schema drops (and kubectl's strict field
 * validation refuses) every field it does not declare, except under
 * `x-kubernetes-preserve-unknown-fields`, so each object that declares properties and says
 * nothing of others is closed to them. JSON Schema alone would let a misspelt field through.
 */
function closedToUnknownFields(schema: any): any {
  if (Array.isArray(schema)) {
    return schema.map(closedToUnknownFields);
  }
  if (typeof schema !== "object" || schema === null) {
    return schema;
  }
  const closed: any = {};
  for (const [key, value] of Object.entries(schema)) {
    closed[key] =
      key === "properties"
        ? Object.fromEntries(
            Object.entries(value as object).map(([name, sub]) => [
              name,
              closedToUnknownFields(sub),
            ]),
          )
        : key === "enum" || key === "default" || key === "required"
          ? value
          : closedToUnknownFields(value);
  }
  if (
    schema.properties !== undefined &&
    schema.additionalProperties === undefined &&
    schema["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    closed.additionalProperties = false;
  }
  return closed;
}

let validateClusterPolicy: ValidateFunction | undefined;

/** The schema's complaints about a document: `<path> <keyword> <detail>`, [] when it validates. */
function schemaErrors(document: unknown): string[] {
  if (validateClusterPolicy === undefined) {
    // Strict, but for `required` naming properties the subschema does not declare: Kubernetes
    // schemas say "exactly one of" as `oneOf: [{ required: [a] }, { required: [b] }]`, with a and
    // b declared beside the `oneOf`.
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
    addFormats(ajv);
    // Kubernetes' own keywords: list and map semantics the API server applies, nothing to check
    // in one document beyond what the schema's other keywords say.
    ajv.addVocabulary([
      "x-kubernetes-preserve-unknown-fields",
      "x-kubernetes-list-type",
      "x-kubernetes-map-type",
    ]);
    const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
    validateClusterPolicy = ajv.compile(closedToUnknownFields(schema));
  }
  if (validateClusterPolicy(document)) {
    return [];
  }
  return (validateClusterPolicy.errors ?? []).map(
    (error: ErrorObject) =>
      `${error.instancePath} ${error.keyword} ${JSON.stringify(error.params)}`,
  );
}

/**
 * The checks Kyverno's webhook adds beyond the schema for what the policy uses (v1.19.0's
 * `api/kyverno/v1/image_verification_types.go`, `Validate` methods): image references given, one
 * kind of attestor per entry, a Rekor URL (or roots) for keyless, no digest mutation in Audit.
 */
function kyvernoValidationErrors(document: any): string[] {
  const errors: string[] = [];
  document.spec.rules.forEach((rule: any, r: number) =>
    (rule.verifyImages ?? []).forEach((image: any, i: number) => {
      const at = `spec.rules[${r}].verifyImages[${i}]`;
      if ((image.imageReferences ?? []).length === 0) {
        errors.push(`${at}: An image reference is required`);
      }
      if (image.failureAction === "Audit" && image.mutateDigest !== false) {
        errors.push(`${at}.mutateDigest: must be set to false for 'Audit' failure action`);
      }
      const sets = (image.attestations ?? []).flatMap((a: any) => a.attestors ?? []);
      for (const set of [...(image.attestors ?? []), ...sets]) {
        if ((set.entries ?? []).length === 0) {
          errors.push(`${at}: An entry is required`);
        }
        for (const entry of set.entries ?? []) {
          const kinds = ["keys", "certificates", "keyless", "attestor"].filter(
            (kind) => entry[kind] !== undefined,
          );
          if (kinds.length !== 1) {
            errors.push(`${at}: keys, certificates, keyless, or a nested attestor is required`);
          }
          const keyless = entry.keyless;
          if (keyless !== undefined && keyless.rekor === undefined && !keyless.roots) {
            errors.push(`${at}: Either Rekor URL or roots are required`);
          }
          if (keyless?.rekor !== undefined && !keyless.rekor.url) {
            errors.push(`${at}: An URL is required`);
          }
        }
      }
    }),
  );
  return errors;
}

/**
 * Kyverno's image-reference match (v1.19.0's `ext/wildcard`, IGLOU-EU/go-wildcard v1): `*` any
 * characters, `/` and `:` included, `?` exactly one, anything else itself, the whole reference.
 */
function kyvernoWildcardMatch(pattern: string, image: string): boolean {
  const source = [...pattern]
    .map((c) =>
      c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&"),
    )
    .join("");
  return new RegExp(`^${source}$`).test(image);
}

function matchesAnyReference(references: readonly string[], image: string): boolean {
  return references.some((reference) => kyvernoWildcardMatch(reference, image));
}

const dnsLabel = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

describe("the Kyverno admission policy", () => {
  describe("against Kyverno's ClusterPolicy schema", () => {
    const variants: Record<string, () => PipelineSettings> = {
      "trusted branches": () => settingsWith(),
      "branches and tag patterns": () =>
        settingsWith({ branches: ["main", "release/*"], tags: ["v*"] }),
      "deployment environments": () =>
        settingsWith({
          environments: ["production"],
          environmentProtection: { deploymentBranches: ["release/*"], deploymentTags: ["v*"] },
        }),
      "reusable workflows": () =>
        settingsWith({ workflows: [buildPush, { ...buildPush, ref: "refs/heads/main" }] }),
      "a high-risk app's registry findings gate": () => highRiskSettings(),
      "a registry findings gate opted in, with tags": () =>
        settingsWith({ registryFindingsGate: "HIGH", tags: ["v*"] }),
    };
    for (const [variant, settings] of Object.entries(variants)) {
      it(`validates as a kyverno.io/v1 ClusterPolicy for ${variant}, unknown fields refused`, () => {
        const { document } = policyFor(settings());
        assert.equal(document.apiVersion, "kyverno.io/v1");
        assert.equal(document.kind, "ClusterPolicy");
        assert.deepEqual(schemaErrors(document), []);
        assert.deepEqual(kyvernoValidationErrors(document), []);
      });
    }

    it("is refused by the schema when broken, so a clean validation means something", () => {
      const broken = (change: (document: any) => void) => {
        const { document } = policyFor();
        change(document);
        return schemaErrors(document);
      };
      assert.deepEqual(
        broken((d) => (d.spec.rules[0].verifyImages[0].type = "NotAType")),
        [
          '/spec/rules/0/verifyImages/0/type enum {"allowedValues":["Cosign","SigstoreBundle","Notary"]}',
        ],
      );
      assert.deepEqual(
        broken((d) => delete d.spec.rules[0].name),
        ['/spec/rules/0 required {"missingProperty":"name"}'],
      );
      assert.deepEqual(
        broken((d) => {
          const rule = d.spec.rules[0];
          rule.verifyImage = rule.verifyImages;
          delete rule.verifyImages;
        }),
        ['/spec/rules/0 additionalProperties {"additionalProperty":"verifyImage"}'],
      );
      assert.deepEqual(
        broken((d) => (d.spec.rules[0].verifyImages[0].failureAction = "enforce")),
        ['/spec/rules/0/verifyImages/0/failureAction enum {"allowedValues":["Audit","Enforce"]}'],
      );
      assert.deepEqual(
        broken((d) => (d.spec.webhookConfiguration.timeoutSeconds = "30")),
        ['/spec/webhookConfiguration/timeoutSeconds type {"type":"integer"}'],
      );
    });

    it("is refused by Kyverno's own checks when a keyless attestor names no Rekor", () => {
      const { document } = policyFor();
      delete document.spec.rules[0].verifyImages[0].attestations[0].attestors[0].entries[0].keyless
        .rekor;
      assert.deepEqual(kyvernoValidationErrors(document), [
        "spec.rules[0].verifyImages[0]: Either Rekor URL or roots are required",
      ]);
    });
  });

  describe("enforcement", () => {
    it("enforces per image rule, fails closed and answers within Kubernetes' 30-second webhook limit", () => {
      const { document, verifyImage } = policyFor();
      assert.equal(document.spec.background, false);
      assert.deepEqual(document.spec.webhookConfiguration, {
        failurePolicy: "Fail",
        timeoutSeconds: 30,
      });
      assert.equal(verifyImage.failureAction, "Enforce");
    });

    it("uses none of the spec-level fields Kyverno v1.19 marks deprecated", () => {
      const { spec } = policyFor().document;
      assert.deepEqual(
        ["validationFailureAction", "failurePolicy", "webhookTimeoutSeconds"].filter(
          (field) => field in spec,
        ),
        [],
      );
    });

    it("matches Pods, leaving Kyverno to generate the rules for their controllers", () => {
      const { document } = policyFor();
      assert.deepEqual(document.spec.rules.length, 1);
      assert.deepEqual(document.spec.rules[0].match, { any: [{ resources: { kinds: ["Pod"] } }] });
      assert.deepEqual(
        document.metadata.annotations["pod-policies.kyverno.io/autogen-controllers"],
        undefined,
      );
    });

    it("requires a verified SLSA provenance bundle for every image of the repository, pinned to its digest", () => {
      assert.deepEqual(policyFor().verifyImage, {
        imageReferences: [
          `${url}:*`,
          `${url}@*`,
          `${registry}/library/payments-api:*`,
          `${registry}/library/payments-api@*`,
        ],
        type: "SigstoreBundle",
        failureAction: "Enforce",
        required: true,
        verifyDigest: true,
        mutateDigest: true,
        imageRegistryCredentials: { providers: ["amazon"] },
        attestations: [
          {
            type: "https://slsa.dev/provenance/v1",
            attestors: [
              {
                entries: [
                  {
                    keyless: {
                      issuer: "https://token.actions.githubusercontent.com",
                      subjectRegExp:
                        "^https://github\\.com/(?:acme/payments-api/\\.github/workflows/ci-build-push-dev\\.yml@refs/heads/main)$",
                      rekor: { url: "https://rekor.sigstore.dev" },
                      ctlog: { ignoreSCT: false },
                    },
                  },
                ],
              },
            ],
            conditions: [
              {
                all: [
                  {
                    key: "{{ buildDefinition.buildType }}",
                    operator: "Equals",
                    value: "https://actions.github.io/buildtypes/workflow/v1",
                  },
                  {
                    key: "{{ buildDefinition.externalParameters.workflow.repository }}",
                    operator: "Equals",
                    value: "https://github.com/acme/payments-api",
                  },
                ],
              },
            ],
          },
        ],
      });
    });
  });

  describe("the registry-scan attestation, for apps with a registry findings gate", () => {
    /** The registry-scan attestation of the policy for these settings, if it has one. */
    const scanAttestations = (settings: PipelineSettings) =>
      policyFor(settings).verifyImage.attestations.filter(
        (attestation: any) => attestation.type === registryScanPredicateType,
      );

    it("is required only with a gate: high risk, or opted in; a medium-risk app without one needs provenance alone", () => {
      const types = (settings: PipelineSettings) =>
        policyFor(settings).verifyImage.attestations.map((attestation: any) => attestation.type);
      assert.deepEqual(types(settingsWith()), ["https://slsa.dev/provenance/v1"]);
      assert.deepEqual(types(highRiskSettings()), [
        "https://slsa.dev/provenance/v1",
        "https://goldenpath.idp/trusted-delivery/registry-scan/v1",
      ]);
      assert.equal(scanAttestations(settingsWith({ registryFindingsGate: "LOW" })).length, 1);
    });

    it("is signed by the same keyless identity as the provenance: issuer, subject and Rekor", () => {
      for (const settings of [
        highRiskSettings(),
        highRiskSettings({ workflows: [buildPush] }),
        highRiskSettings({ environments: ["production"] }),
      ]) {
        const [provenance, scan] = policyFor(settings).verifyImage.attestations;
        assert.deepEqual(scan.attestors, provenance.attestors);
        assert.deepEqual(scan.attestors[0].entries[0].keyless, {
          issuer: "https://token.actions.githubusercontent.com",
          subjectRegExp: builderIdentity(settings).subjectPattern,
          rekor: { url: "https://rekor.sigstore.dev" },
          ctlog: { ignoreSCT: false },
        });
      }
    });

    it("admits a scan gated at the app's gate or a stricter one: at CRITICAL every gate, UNKNOWN to CRITICAL", () => {
      assert.deepEqual(scanAttestations(highRiskSettings()), [
        {
          type: "https://goldenpath.idp/trusted-delivery/registry-scan/v1",
          attestors: policyFor(highRiskSettings()).attestation.attestors,
          conditions: [
            {
              all: [
                {
                  key: "{{ gate }}",
                  operator: "AnyIn",
                  value: ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"],
                },
              ],
            },
          ],
        },
      ]);
    });

    it("at HIGH refuses a scan gated at CRITICAL, which would let a HIGH finding through", () => {
      const gates = (gate: "UNKNOWN" | "LOW" | "MEDIUM" | "HIGH" | "CRITICAL") =>
        scanAttestations(settingsWith({ registryFindingsGate: gate }))[0].conditions[0].all[0]
          .value;
      assert.deepEqual(gates("HIGH"), ["UNKNOWN", "LOW", "MEDIUM", "HIGH"]);
      assert.ok(!gates("HIGH").includes("CRITICAL"));
      assert.deepEqual(gates("UNKNOWN"), ["UNKNOWN"]);
      // As Kyverno's AnyIn judges a string key: in the list, or refused.
      const admits = (appGate: "HIGH" | "CRITICAL", predicateGate: string) =>
        gates(appGate).includes(predicateGate);
      assert.equal(admits("CRITICAL", "HIGH"), true);
      assert.equal(admits("HIGH", "HIGH"), true);
      assert.equal(admits("HIGH", "CRITICAL"), false);
    });

    it("checks no digest condition: the bundle's subject is the verified digest already", () => {
      const [scan] = scanAttestations(highRiskSettings());
      assert.doesNotMatch(JSON.stringify(scan.conditions), /digest/);
    });

    it("is named in the header and the description", () => {
      const { text, document } = policyFor(highRiskSettings());
      assert.deepEqual(text.split("\n\n")[0].split("\n").slice(9, -1), [
        "# It also requires a registry-scan attestation (https://goldenpath.idp/trusted-delivery/registry-scan/v1),",
        "# signed for the same identity, which the workflow makes only when the registry's own scan",
        "# of the digest found nothing at CRITICAL or above (github.registryFindingsGate; a stricter",
        "# gate passes too).",
      ]);
      assert.equal(
        document.metadata.annotations["policies.kyverno.io/description"],
        `Admits images of ${url} only with a SLSA provenance attestation signed for acme/payments-api's trusted build-and-push workflow, and its attestation that the registry's scan found nothing at CRITICAL or above.`,
      );
      assert.doesNotMatch(policyFor().text, /registry-scan/);
    });
  });

  describe("the builder identity, derived from the app entry", () => {
    it("is the identity verification.ts derives, from the same settings (one home)", () => {
      const settings = settingsWith({ branches: ["main", "release/*"], tags: ["v*"] });
      const identity = builderIdentity(settings);
      const { keyless, attestation } = policyFor(settings);
      assert.equal(keyless.issuer, identity.issuer);
      assert.equal(keyless.subjectRegExp, identity.subjectPattern);
      assert.equal(attestation.type, "https://slsa.dev/provenance/v1");
    });

    it("follows the trusted branch: github.branches [release] admits release and no longer main", () => {
      const before = subjectMatcher(settingsWith({ branches: ["main"] }));
      const after = subjectMatcher(settingsWith({ branches: ["release"] }));
      assert.equal(before.test(san(appWorkflow, "refs/heads/main")), true);
      assert.equal(after.test(san(appWorkflow, "refs/heads/release")), true);
      assert.equal(after.test(san(appWorkflow, "refs/heads/main")), false);
      assert.equal(
        policyFor(settingsWith({ branches: ["release"] })).keyless.subjectRegExp,
        "^https://github\\.com/(?:acme/payments-api/\\.github/workflows/ci-build-push-dev\\.yml@refs/heads/release)$",
      );
    });

    it("admits trusted tags and branch patterns, a * matching across /", () => {
      const matcher = subjectMatcher(settingsWith({ branches: ["release/*"], tags: ["v*"] }));
      assert.equal(matcher.test(san(appWorkflow, "refs/heads/release/2026/12")), true);
      assert.equal(matcher.test(san(appWorkflow, "refs/tags/v1.4.0")), true);
      assert.equal(matcher.test(san(appWorkflow, "refs/heads/main")), false);
      assert.equal(matcher.test(san(appWorkflow, "refs/tags/1.4.0")), false);
    });

    it("with environments, follows the deployment branches and tags, not github.branches' default", () => {
      const matcher = subjectMatcher(
        settingsWith({
          environments: ["production"],
          environmentProtection: { deploymentBranches: ["release/*"], deploymentTags: ["v*"] },
        }),
      );
      assert.equal(matcher.test(san(appWorkflow, "refs/heads/release/1.2")), true);
      assert.equal(matcher.test(san(appWorkflow, "refs/tags/v3")), true);
      assert.equal(matcher.test(san(appWorkflow, "refs/heads/main")), false);
    });

    it("with environments and no deployment policy given, admits main, the environments' default", () => {
      const matcher = subjectMatcher(settingsWith({ environments: ["production"] }));
      assert.equal(matcher.test(san(appWorkflow, "refs/heads/main")), true);
      assert.equal(matcher.test(san(appWorkflow, "refs/heads/develop")), false);
    });

    it("with reusable workflows, names the reusable workflow's file and ref, and the app repository as the build's", () => {
      const settings = settingsWith({
        workflows: [
          buildPush,
          { ...buildPush, path: ".github/workflows/release.yaml", ref: "refs/heads/main" },
        ],
      });
      const matcher = subjectMatcher(settings);
      const platform = "acme/platform-workflows/.github/workflows";
      assert.equal(matcher.test(san(`${platform}/build-push.yml`, "refs/tags/v1")), true);
      assert.equal(matcher.test(san(`${platform}/release.yaml`, "refs/heads/main")), true);
      // Each workflow at its own ref only, and the app's own workflow no longer.
      assert.equal(matcher.test(san(`${platform}/build-push.yml`, "refs/heads/main")), false);
      assert.equal(matcher.test(san(`${platform}/release.yaml`, "refs/tags/v1")), false);
      assert.equal(matcher.test(san(appWorkflow, "refs/heads/main")), false);
      // The certificate names the shared workflow; the provenance names the caller.
      assert.deepEqual(policyFor(settings).attestation.conditions[0].all[1], {
        key: "{{ buildDefinition.externalParameters.workflow.repository }}",
        operator: "Equals",
        value: "https://github.com/acme/payments-api",
      });
    });
  });

  describe("the subject pattern's meaning", () => {
    const matcher = () => subjectMatcher(settingsWith({ branches: ["main"] }));

    it("is RE2 syntax: it compiles in unicode mode, with no lookaround or backreference", () => {
      const pattern = policyFor().keyless.subjectRegExp;
      assert.doesNotThrow(() => new RegExp(pattern, "u"));
      assert.doesNotMatch(pattern, /\(\?[=!<]|\\[1-9]/);
    });

    it("admits the trusted workflow at the trusted ref", () => {
      assert.equal(matcher().test(san(appWorkflow, "refs/heads/main")), true);
    });

    it("refuses another workflow file of the repository", () => {
      const m = matcher();
      assert.equal(
        m.test(san("acme/payments-api/.github/workflows/release.yml", "refs/heads/main")),
        false,
      );
      assert.equal(
        m.test(
          san("acme/payments-api/.github/workflows/ci-build-push-prod.yml", "refs/heads/main"),
        ),
        false,
      );
      // The dots are literal: no file whose name differs only there.
      assert.equal(
        m.test(san("acme/payments-api/.github/workflows/ci-build-push-devxyml", "refs/heads/main")),
        false,
      );
    });

    it("refuses the same workflow at an untrusted branch, a tag of the same name, or a prefix of the branch", () => {
      const m = matcher();
      assert.equal(m.test(san(appWorkflow, "refs/heads/feature")), false);
      assert.equal(m.test(san(appWorkflow, "refs/tags/main")), false);
      assert.equal(m.test(san(appWorkflow, "refs/heads/mai")), false);
    });

    it("refuses a fork or another repository with the same workflow path", () => {
      const m = matcher();
      const path = ".github/workflows/ci-build-push-dev.yml";
      assert.equal(m.test(san(`mallory/payments-api/${path}`, "refs/heads/main")), false);
      assert.equal(m.test(san(`acme/payments-api-fork/${path}`, "refs/heads/main")), false);
      assert.equal(m.test(`https://github.example/${appWorkflow}@refs/heads/main`), false);
    });

    it("refuses the trusted SAN with anything appended or prepended", () => {
      const m = matcher();
      const trusted = san(appWorkflow, "refs/heads/main");
      for (const extended of [
        `${trusted}-evil`,
        `${trusted}/x`,
        `${trusted}\n`,
        `https://evil.example/?${trusted}`,
      ]) {
        assert.equal(m.test(extended), false, extended);
      }
    });
  });

  describe("the image references", () => {
    const references = () => policyFor().verifyImage.imageReferences;

    it("match every tag and digest of the repository, as Kyverno writes image references", () => {
      for (const image of [`${url}:latest`, `${url}:0123abc`, `${url}@${digest}`]) {
        assert.equal(matchesAnyReference(references(), image), true, image);
      }
    });

    it("do not match another repository whose name starts with this one's", () => {
      for (const image of [
        `${url}-evil:tag`,
        `${url}-evil@${digest}`,
        `${url}/nested:tag`,
        `${url}evil:tag`,
        `${registry}/payments:tag`,
        `evil.example/${url}:tag`,
      ]) {
        assert.equal(matchesAnyReference(references(), image), false, image);
      }
    });

    it("match the repository as Kyverno releases that prefix one-component paths with library/ write it", () => {
      // pkg/utils/image/infos.go in some Kyverno releases: `<registry>/<name>` becomes
      // `<registry>/library/<name>`; without these references such a release would match nothing.
      for (const image of [
        `${registry}/library/payments-api:latest`,
        `${registry}/library/payments-api@${digest}`,
      ]) {
        assert.equal(matchesAnyReference(references(), image), true, image);
      }
      assert.equal(
        matchesAnyReference(references(), `${registry}/library/payments-api-evil:tag`),
        false,
      );
    });

    it("the test's Kyverno matcher would catch <url>*, the pattern these references replace", () => {
      assert.equal(matchesAnyReference([`${url}*`], `${url}-evil:tag`), true);
    });
  });

  describe("its name and header", () => {
    it("is named trusted-delivery-<app>-<environment>", () => {
      assert.equal(policyFor().document.metadata.name, "trusted-delivery-payments-api-dev");
    });

    it("turns other characters into hyphens, lower case, as Kubernetes names require", () => {
      assert.equal(
        admissionPolicyName("Payments_API", "prod eu"),
        "trusted-delivery-payments-api-prod-eu",
      );
    });

    it("cuts long names to 63 characters, ending in a hash of the whole, stable and distinct", () => {
      const app = "a-very-long-application-name-for-the-payments-platform";
      const name = admissionPolicyName(app, "production-eu-west-2");
      assert.equal(name.length <= kubernetesNameMaxLength, true);
      assert.match(name, dnsLabel);
      assert.match(name, /^trusted-delivery-a-very-long-application-name-for-th.*-[0-9a-f]{8}$/);
      assert.equal(admissionPolicyName(app, "production-eu-west-2"), name);
      assert.notEqual(admissionPolicyName(app, "production-eu-west-1"), name);
    });

    it("says what it admits, from which identity, and that trusted-delivery generated it", () => {
      const header = policyFor().text.split("\n\n")[0];
      assert.equal(
        header,
        [
          "# Generated by trusted-delivery for payments-api (dev): regenerate it, do not edit it.",
          "# Admits Pods (and, through Kyverno's generated rules, their controllers) running images of",
          `#   ${url}`,
          "# only when each image's digest has a SLSA build provenance attestation",
          "# (https://slsa.dev/provenance/v1) of a build in acme/payments-api, signed by",
          "# GitHub Actions for:",
          `#   ${appWorkflow} at refs/heads/main`,
          "# The identity comes from the app entry's trusted branches and tags (github.branches,",
          "# github.tags): the refs the push role trusts.",
          "# Images of other repositories are not this policy's concern.",
        ].join("\n"),
      );
    });

    it("names the reusable workflows in its header when the identity comes from them", () => {
      const { text } = policyFor(settingsWith({ workflows: [buildPush] }));
      assert.match(
        text,
        /^# {3}acme\/platform-workflows\/\.github\/workflows\/build-push\.yml at refs\/tags\/v1$/m,
      );
      assert.match(
        text,
        /^# The identity comes from the app entry's reusable workflows \(github\.workflows\): the$/m,
      );
    });
  });

  describe("refused inputs", () => {
    it("refuses, all at once, a URL with a tag and a pipeline that attests nothing", () => {
      assert.throws(
        () =>
          kyvernoAdmissionPolicy(
            "payments-api",
            settingsWith({ attestations: false }),
            `${url}:latest`,
          ),
        {
          name: "InvalidArgumentsError",
          message: [
            'The Kyverno admission policy for "payments-api" has 2 invalid arguments:',
            `  - repositoryUrl is "${url}:latest"; a registry host and repository name without tag, digest or wildcard is allowed, e.g. "123456789012.dkr.ecr.eu-west-2.amazonaws.com/payments-api"`,
            "  - github.attestations is false; true is allowed (the default): the policy admits only attested images, and the workflow attests none without it",
          ].join("\n"),
        },
      );
    });

    it("refuses a wildcard in the URL, which would widen what the policy matches", () => {
      assert.throws(
        () => kyvernoAdmissionPolicy("payments-api", settingsWith(), `${registry}/payments-*`),
        {
          message: new RegExp(
            `repositoryUrl is "${registry}/payments-\\*"; a registry host and repository name`,
          ),
        },
      );
    });

    it("refuses the URL of another repository than the pipeline's", () => {
      assert.throws(
        () => kyvernoAdmissionPolicy("payments-api", settingsWith(), `${registry}/orders-api`),
        {
          message: [
            'The Kyverno admission policy for "payments-api" has an invalid argument:',
            `  - repositoryUrl is "${registry}/orders-api"; the URL of the pipeline's repository is allowed, ending "/payments-api"`,
          ].join("\n"),
        },
      );
    });
  });
});
