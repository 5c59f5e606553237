import { strict as assert } from "assert";
import { lifecyclePolicyDocument } from "../../components/lifecyclePolicy";
import {
  ecrLifecycleProtectsReleases,
  ecrLifecycleProtectsReleasesAdvisory,
} from "../../policy-pack/policies/ecr/ecrLifecycleProtectsReleases";
import {
  awsNativeTypes,
  awsTypes,
  cloudControlResourceType,
} from "../../policy-pack/governance/typeTokens";
import { stateInstances } from "../helpers/fixtures";
import { runStackPolicy, TestStackResource, unknown, urnOf } from "../helpers/policyHarness";

const riskKey = "goldenpath.idp/risk";
const mandatory = ecrLifecycleProtectsReleases;
const advisory = ecrLifecycleProtectsReleasesAdvisory;

const repository = (risk?: string): TestStackResource => ({
  type: awsTypes.ecrRepository,
  name: "repo",
  props: { name: "payments-api", tags: risk === undefined ? {} : { [riskKey]: risk } },
});
/** An aws.ecr.LifecyclePolicy computed from the repository (as the component attaches it). */
const lifecycle = (policy: unknown, name = "lifecycle"): TestStackResource => ({
  type: awsTypes.ecrLifecyclePolicy,
  name,
  props: {
    repository: unknown,
    policy: typeof policy === "string" ? policy : JSON.stringify(policy),
  },
  propertyDependencies: { repository: ["repo"] },
});
const rule = (rulePriority: number, selection: Record<string, unknown>, type = "expire") => ({
  rulePriority,
  selection,
  action: type === "expire" ? { type } : { type, targetStorageClass: "archive" },
});
const keep = (n: number) => ({ countType: "imageCountMoreThan", countNumber: n });
const days = (n: number) => ({ countType: "sinceImagePushed", countUnit: "days", countNumber: n });
const tagged = (tagPatternList: string[]) => ({ tagStatus: "tagged", tagPatternList });
/** Release rules first: no later rule can expire what they select. */
const keepReleases = (n: number) => [
  rule(1, { ...tagged(["v*"]), ...keep(n) }),
  rule(2, { ...tagged(["release-*"]), ...keep(n) }),
];
const cleanUp = [
  rule(3, { ...tagged(["pr-*"]), ...days(7) }),
  rule(4, { tagStatus: "untagged", ...days(1) }),
];
const both = (resources: TestStackResource[], config?: Record<string, unknown>) => [
  ...runStackPolicy(mandatory, resources, config),
  ...runStackPolicy(advisory, resources, config),
];

const high =
  'ECR repository "payments-api" must keep release images as long as its high-risk tier keeps images (the newest 50): ';
const shield50 =
  'add before it (a lower rulePriority) a rule per pattern with tagStatus tagged, tagPatternList ["v*"], then ["release-*"], countType imageCountMoreThan and countNumber 50 or more: no later rule can expire what an earlier rule selects';

describe("ecr-lifecycle-protects-releases and its advisory twin: compliant policies", () => {
  it("Compliance 1: the component's policy (the last 50 images, any tag) on a high-risk repository", () => {
    const resources = [repository("high"), lifecycle(lifecyclePolicyDocument(50, "high"))];
    assert.deepEqual(both(resources), []);
  });

  it("Compliance 2: the component's policy attached by name to a medium-risk repository", () => {
    const byName: TestStackResource = {
      type: awsTypes.ecrLifecyclePolicy,
      name: "lifecycle",
      props: { repository: "payments-api", policy: lifecyclePolicyDocument(30, "medium") },
    };
    assert.deepEqual(both([repository("medium"), byName]), []);
  });

  it("Compliance 3: the seed Terraform module's one-rule policies, each on its own tier", () => {
    for (const [app, { policy }] of Object.entries(stateInstances("aws_ecr_lifecycle_policy"))) {
      const risk = JSON.parse(policy).rules[0].description.match(/\((\w+) risk/)[1];
      assert.deepEqual(both([repository(risk), lifecycle(policy)]), [], app);
    }
  });

  it("Compliance 4: release rules first, then clean-up of pull-request and untagged images, then every image kept to the tier", () => {
    const policy = {
      rules: [...keepReleases(50), ...cleanUp, rule(5, { tagStatus: "any", ...keep(50) })],
    };
    assert.deepEqual(both([repository("high"), lifecycle(policy)]), []);
  });

  it("Compliance 5: release images archived rather than expired, beside untagged images expired after a day", () => {
    const policy = {
      rules: [
        rule(1, { ...tagged(["v*"]), ...days(30) }, "transition"),
        rule(2, { tagStatus: "untagged", ...days(1) }),
      ],
    };
    assert.deepEqual(both([repository("high"), lifecycle(policy)]), []);
  });
});

describe("ecr-lifecycle-protects-releases: tiers, previews and config", () => {
  it("Compliance 6: each policy leaves the other's tiers alone", () => {
    const expiresReleases = { rules: [rule(1, { ...tagged(["v*"]), ...days(1) })] };
    assert.deepEqual(
      [
        runStackPolicy(mandatory, [repository("low"), lifecycle(expiresReleases)]),
        runStackPolicy(advisory, [repository("high"), lifecycle(expiresReleases)]),
      ],
      [[], []],
    );
  });

  it("Compliance 7: a lifecycle policy unknown during the preview is judged at the update", () => {
    assert.deepEqual(
      both([
        repository("high"),
        { ...lifecycle(""), props: { repository: unknown, policy: unknown } },
      ]),
      [],
    );
  });

  it("Compliance 8: a lifecycle policy of another repository is not this one's", () => {
    const other: TestStackResource = {
      type: awsTypes.ecrLifecyclePolicy,
      name: "lifecycle",
      props: {
        repository: "ledger",
        policy: JSON.stringify({ rules: [rule(1, { tagStatus: "any", ...keep(1) })] }),
      },
    };
    assert.deepEqual(both([repository("high"), other]), []);
  });

  it("Compliance 9: configured protectedTagPatterns replace the defaults", () => {
    const policy = {
      rules: [
        rule(1, { ...tagged(["prod-*"]), ...keep(50) }),
        rule(2, { ...tagged(["v*"]), ...days(1) }),
      ],
    };
    const config = { protectedTagPatterns: ["prod-*"] };
    assert.deepEqual(both([repository("high"), lifecycle(policy)], config), []);
  });
});

describe("ecr-lifecycle-protects-releases: rules that expire releases", () => {
  it("Noncompliance 1: a rule expiring v* images a day after their push, on a high-risk repository", () => {
    const policy = { rules: [rule(1, { ...tagged(["v*"]), ...days(1) })] };
    assert.deepEqual(runStackPolicy(mandatory, [repository("high"), lifecycle(policy)]), [
      {
        message: `${high}lifecycle rule 1 (tagPatternList ["v*"]) of aws.ecr.LifecyclePolicy "lifecycle" expires images tagged "v*", and images tagged "release-*" that also carry a tag it selects, 1 day after they are pushed; use countType imageCountMoreThan with countNumber 50 or more`,
        urn: urnOf(lifecycle(policy)),
      },
    ]);
  });

  it("Noncompliance 2: a rule cleaning up pr-* images by age, no rule keeping releases before it", () => {
    const policy = { rules: [rule(3, { ...tagged(["pr-*"]), ...days(7) })] };
    assert.deepEqual(runStackPolicy(mandatory, [repository("high"), lifecycle(policy)]), [
      {
        message: `${high}lifecycle rule 3 (tagPatternList ["pr-*"]) of aws.ecr.LifecyclePolicy "lifecycle" expires images tagged "v*" or "release-*" that also carry a tag it selects 7 days after they are pushed; ${shield50}`,
        urn: urnOf(lifecycle(policy)),
      },
    ]);
  });

  it("Noncompliance 3: a rule on every image keeping 20 of a high-risk repository's 50", () => {
    const policy = lifecyclePolicyDocument(20, "high");
    assert.deepEqual(runStackPolicy(mandatory, [repository("high"), lifecycle(policy)]), [
      {
        message: `${high}lifecycle rule 1 (tagStatus any) of aws.ecr.LifecyclePolicy "lifecycle" keeps only the newest 20 images it selects, so images tagged "v*" or "release-*" can expire before 50 newer images exist; set its countNumber to 50 or more`,
        urn: urnOf(lifecycle(policy)),
      },
    ]);
  });

  it("Noncompliance 4: a release rule keeping 10, and a clean-up rule behind it reaching the releases it does not keep", () => {
    const policy = { rules: [rule(1, { ...tagged(["v*"]), ...keep(10) }), ...cleanUp] };
    assert.deepEqual(
      runStackPolicy(mandatory, [repository("high"), lifecycle(policy)]).map((v) => v.message),
      [
        `${high}lifecycle rule 1 (tagPatternList ["v*"]) of aws.ecr.LifecyclePolicy "lifecycle" keeps only the newest 10 images it selects, so images tagged "v*", and images tagged "release-*" that also carry a tag it selects, can expire before 50 newer images exist; set its countNumber to 50 or more`,
        `${high}lifecycle rule 3 (tagPatternList ["pr-*"]) of aws.ecr.LifecyclePolicy "lifecycle" expires images tagged "release-*" that also carry a tag it selects 7 days after they are pushed; add before it (a lower rulePriority) a rule per pattern with tagStatus tagged, tagPatternList ["release-*"], countType imageCountMoreThan and countNumber 50 or more: no later rule can expire what an earlier rule selects`,
      ],
    );
  });

  it("Noncompliance 5: a rule on every image expiring by age, behind rules keeping the releases", () => {
    const policy = { rules: [...keepReleases(50), rule(3, { tagStatus: "any", ...days(30) })] };
    assert.deepEqual(runStackPolicy(mandatory, [repository("high"), lifecycle(policy)]), [
      {
        message:
          'ECR repository "payments-api" must keep the newest 50 images, as its high-risk tier does: lifecycle rule 3 (tagStatus any) of aws.ecr.LifecyclePolicy "lifecycle" expires every image 30 days after it is pushed, leaving fewer than 50 when pushes are rare; use countType imageCountMoreThan with countNumber 50 or more',
        urn: urnOf(lifecycle(policy)),
      },
    ]);
  });
});

describe("ecr-lifecycle-protects-releases: archives and registry forms", () => {
  it("Noncompliance 6: archived releases expired a year after they were archived", () => {
    const policy = {
      rules: [
        rule(1, { tagStatus: "any", ...days(30) }, "transition"),
        rule(2, {
          tagStatus: "any",
          storageClass: "archive",
          countType: "sinceImageTransitioned",
          countUnit: "days",
          countNumber: 365,
        }),
      ],
    };
    assert.deepEqual(
      runStackPolicy(mandatory, [repository("high"), lifecycle(policy)]).map((v) => v.message),
      [
        `${high}lifecycle rule 2 (tagStatus any) of aws.ecr.LifecyclePolicy "lifecycle" expires archived images tagged "v*" or "release-*" 365 days after they were archived; remove the rule, or restore release images before it acts: archive rules only expire by age (sinceImageTransitioned), so no earlier rule can keep them`,
      ],
    );
  });

  it("Noncompliance 7: an aws-native medium-risk repository's own lifecyclePolicyText, reported by the advisory policy", () => {
    const native: TestStackResource = {
      type: awsNativeTypes.ecrRepository,
      name: "native",
      props: {
        repositoryName: "ledger",
        tags: [{ key: riskKey, value: "medium" }],
        lifecyclePolicy: { lifecyclePolicyText: lifecyclePolicyDocument(20, "medium") },
      },
    };
    assert.deepEqual(
      [runStackPolicy(mandatory, [native]), runStackPolicy(advisory, [native])],
      [
        [],
        [
          {
            message:
              'ECR repository "ledger" must keep release images as long as its medium-risk tier keeps images (the newest 30): lifecycle rule 1 (tagStatus any) of lifecyclePolicy.lifecyclePolicyText keeps only the newest 20 images it selects, so images tagged "v*" or "release-*" can expire before 30 newer images exist; set its countNumber to 30 or more',
            urn: urnOf(native),
          },
        ],
      ],
    );
  });
});

describe("ecr-lifecycle-protects-releases: creation templates and Cloud Control", () => {
  it("Noncompliance 8: a creation template's lifecyclePolicy, for the high-risk repositories it makes", () => {
    const template: TestStackResource = {
      type: awsTypes.ecrRepositoryCreationTemplate,
      name: "template",
      props: {
        prefix: "apps",
        resourceTags: { [riskKey]: "high" },
        lifecyclePolicy: JSON.stringify({ rules: [rule(1, { ...tagged(["pr-*"]), ...days(7) })] }),
      },
    };
    assert.deepEqual(runStackPolicy(mandatory, [template]), [
      {
        message:
          'ECR repository creation template "apps" must keep release images as long as its high-risk tier keeps images (the newest 50): lifecycle rule 1 (tagPatternList ["pr-*"]) of lifecyclePolicy expires images tagged "v*" or "release-*" that also carry a tag it selects 7 days after they are pushed; ' +
          shield50,
        urn: urnOf(template),
      },
    ]);
  });

  it("Noncompliance 9: a Cloud Control repository, read as the aws-native one", () => {
    const desiredState = {
      RepositoryName: "ledger",
      Tags: [{ Key: riskKey, Value: "low" }],
      LifecyclePolicy: {
        LifecyclePolicyText: JSON.stringify({
          rules: [rule(1, { tagStatus: "any", ...days(14) })],
        }),
      },
    };
    const resource: TestStackResource = {
      type: cloudControlResourceType,
      name: "cc",
      props: { typeName: "AWS::ECR::Repository", desiredState: JSON.stringify(desiredState) },
    };
    assert.deepEqual(runStackPolicy(advisory, [resource]), [
      {
        message:
          'ECR repository "ledger" must keep release images as long as its low-risk tier keeps images (the newest 20): lifecycle rule 1 (tagStatus any) of lifecyclePolicy.lifecyclePolicyText expires images tagged "v*" or "release-*" 14 days after they are pushed; use countType imageCountMoreThan with countNumber 20 or more',
        urn: urnOf(resource),
      },
    ]);
  });
});

describe("ecr-lifecycle-protects-releases: unreadable policies, tiers and config", () => {
  it("Noncompliance 10: a policy that cannot be read, or that ECR refuses, is reported problem by problem", () => {
    const refused = {
      rules: [
        rule(1, { tagStatus: "any", ...keep(0) }),
        rule(1, { tagStatus: "untagged", ...days(1) }),
      ],
    };
    let complaint = "";
    try {
      JSON.parse("{");
    } catch (e) {
      complaint = (e as Error).message;
    }
    const prefix =
      'ECR repository "payments-api" must have a lifecycle policy ECR accepts, so that it can be shown to keep release images: ';
    assert.deepEqual(
      [
        ...runStackPolicy(mandatory, [repository("high"), lifecycle("{")]),
        ...runStackPolicy(mandatory, [repository("high"), lifecycle(refused)]),
      ].map((v) => v.message),
      [
        `${prefix}aws.ecr.LifecyclePolicy "lifecycle": the lifecycle policy is not JSON (${complaint}); give the text ECR accepts, e.g. {"rules":[...]}`,
        `${prefix}aws.ecr.LifecyclePolicy "lifecycle": rule 1: selection.countNumber is 0; a positive integer ("0 is not an accepted value"), e.g. 30`,
        `${prefix}aws.ecr.LifecyclePolicy "lifecycle": rules[1].rulePriority is 1, as is rules[0]'s; each rule needs its own rulePriority`,
      ],
    );
  });
});

describe("ecr-lifecycle-protects-releases: tiers by risk tag", () => {
  it("Noncompliance 11: with no risk tag, the default medium risk, by the advisory policy", () => {
    const policy = lifecyclePolicyDocument(20, "low");
    assert.deepEqual(
      [
        runStackPolicy(mandatory, [repository(), lifecycle(policy)]),
        runStackPolicy(advisory, [repository(), lifecycle(policy)]).map((v) => v.message),
      ],
      [
        [],
        [
          'ECR repository "payments-api" must keep release images as long as its medium-risk tier (the default: no "goldenpath.idp/risk" tag) keeps images (the newest 30): lifecycle rule 1 (tagStatus any) of aws.ecr.LifecyclePolicy "lifecycle" keeps only the newest 20 images it selects, so images tagged "v*" or "release-*" can expire before 30 newer images exist; set its countNumber to 30 or more',
        ],
      ],
    );
  });

  it("Noncompliance 12: a risk that is no risk level is judged as the strictest tier, by the mandatory policy", () => {
    const policy = lifecyclePolicyDocument(30, "medium");
    assert.deepEqual(
      [
        runStackPolicy(mandatory, [repository("critical"), lifecycle(policy)]).map(
          (v) => v.message,
        ),
        runStackPolicy(advisory, [repository("critical"), lifecycle(policy)]),
      ],
      [
        [
          'ECR repository "payments-api" must keep release images as long as its "critical"-risk tier (not a risk level, so judged as the strictest) keeps images (the newest 50): lifecycle rule 1 (tagStatus any) of aws.ecr.LifecyclePolicy "lifecycle" keeps only the newest 30 images it selects, so images tagged "v*" or "release-*" can expire before 50 newer images exist; set its countNumber to 50 or more',
        ],
        [],
      ],
    );
  });
});

describe("ecr-lifecycle-protects-releases: config and several policies", () => {
  it("Noncompliance 13: configured protectedTagPatterns, here bare semantic versions, are protected too", () => {
    const policy = { rules: [...keepReleases(50), ...cleanUp] };
    const config = { protectedTagPatterns: ["v*", "release-*", "*.*.*"] };
    assert.deepEqual(
      runStackPolicy(mandatory, [repository("high"), lifecycle(policy)], config).map(
        (v) => v.message,
      ),
      [
        `${high}lifecycle rule 3 (tagPatternList ["pr-*"]) of aws.ecr.LifecyclePolicy "lifecycle" expires images tagged "*.*.*" that also carry a tag it selects 7 days after they are pushed; add before it (a lower rulePriority) a rule per pattern with tagStatus tagged, tagPatternList ["*.*.*"], countType imageCountMoreThan and countNumber 50 or more: no later rule can expire what an earlier rule selects`,
      ],
    );
  });

  it("Noncompliance 14: every lifecycle policy attached to the repository is judged, by dependency and by name", () => {
    const byName: TestStackResource = {
      type: awsTypes.ecrLifecyclePolicy,
      name: "second",
      props: { repository: "payments-api", policy: lifecyclePolicyDocument(10, "high") },
    };
    assert.deepEqual(
      runStackPolicy(mandatory, [
        repository("high"),
        lifecycle(lifecyclePolicyDocument(40, "high")),
        byName,
      ]).map((v) => v.urn),
      [urnOf(lifecycle("")), urnOf(byName)],
    );
  });

  it("Noncompliance 15: an aws-native creation template's lifecyclePolicy, tagged through its resourceTags list", () => {
    const template: TestStackResource = {
      type: awsNativeTypes.ecrRepositoryCreationTemplate,
      name: "native-template",
      props: {
        prefix: "tools",
        resourceTags: [{ key: riskKey, value: "low" }],
        lifecyclePolicy: lifecyclePolicyDocument(5, "low"),
      },
    };
    assert.deepEqual(runStackPolicy(advisory, [template]), [
      {
        message:
          'ECR repository creation template "tools" must keep release images as long as its low-risk tier keeps images (the newest 20): lifecycle rule 1 (tagStatus any) of lifecyclePolicy keeps only the newest 5 images it selects, so images tagged "v*" or "release-*" can expire before 20 newer images exist; set its countNumber to 20 or more',
        urn: urnOf(template),
      },
    ]);
  });
});
