import { strict as assert } from "assert";
import fc from "fast-check";
import {
  keptImages,
  lifecyclePolicyDocument,
  normalRetention,
  RetentionSettings,
  retentionFromPolicy,
  retentionPolicyDocument,
  retentionProblems,
} from "../../components/lifecyclePolicy";
import {
  releaseRetentionRiskLevels,
  RiskLevel,
  riskLevels,
  riskTiers,
} from "../../components/riskTiers";
import { judgeLifecycle, parseLifecyclePolicy } from "../../policy-pack/resources/lifecycleRules";
import { describeValue } from "../../components/problems";
import { stateInstances } from "../helpers/fixtures";
import {
  EvaluatedImage,
  evaluateLifecycle,
  tagPatternMatches,
} from "../helpers/lifecycleEvaluator";

const sorted = (ids: Map<string, number>) => [...ids.keys()].sort();

// ---------------------------------------------------------------------------------------------
// The evaluator, on AWS's examples: Amazon ECR User Guide, "Examples of lifecycle policies in
// Amazon ECR" (docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html).
// Each policy is copied from the page (descriptions as given there), each outcome is the one the
// page explains.

const expireRule = (rulePriority: number, selection: Record<string, unknown>) => ({
  rulePriority,
  description: `Rule ${rulePriority}`,
  selection,
  action: { type: "expire" },
});

describe("the lifecycle evaluator, on the examples of AWS's documentation", () => {
  // "Filtering on multiple rules": Image A ["beta-1", "prod-1"] 10 days ago, Image B
  // ["beta-2", "prod-2"] 9 days ago, Image C ["beta-3"] 8 days ago.
  const multipleRules: EvaluatedImage[] = [
    { id: "A", tags: ["beta-1", "prod-1"], pushedDaysAgo: 10 },
    { id: "B", tags: ["beta-2", "prod-2"], pushedDaysAgo: 9 },
    { id: "C", tags: ["beta-3"], pushedDaysAgo: 8 },
  ];

  it("expires only image A under 'Filtering on multiple rules', Example A (prod* keep 1, then beta* keep 1)", () => {
    // "Rule 1 ... marks Image A for expiration. Rule 2 ... would mark Image A and Image B ... but
    // Image A has already been seen by Rule 1 and Image B has tags that match Rule 1".
    const policy = {
      rules: [
        expireRule(1, {
          tagStatus: "tagged",
          tagPatternList: ["prod*"],
          countType: "imageCountMoreThan",
          countNumber: 1,
        }),
        expireRule(2, {
          tagStatus: "tagged",
          tagPatternList: ["beta*"],
          countType: "imageCountMoreThan",
          countNumber: 1,
        }),
      ],
    };
    const outcome = evaluateLifecycle(policy, multipleRules);
    assert.deepEqual(sorted(outcome.expired), ["A"]);
    assert.equal(outcome.expired.get("A"), 1);
  });

  it("expires images A and B under 'Filtering on multiple rules', Example B (beta* keep 1, then prod* keep 1)", () => {
    const policy = {
      rules: [
        expireRule(1, {
          tagStatus: "tagged",
          tagPatternList: ["beta*"],
          countType: "imageCountMoreThan",
          countNumber: 1,
        }),
        expireRule(2, {
          tagStatus: "tagged",
          tagPatternList: ["prod*"],
          countType: "imageCountMoreThan",
          countNumber: 1,
        }),
      ],
    };
    const outcome = evaluateLifecycle(policy, multipleRules);
    assert.deepEqual(sorted(outcome.expired), ["A", "B"]);
    assert.deepEqual([outcome.expired.get("A"), outcome.expired.get("B")], [1, 1]);
  });

  it("expires image C only under 'Filtering on multiple tags in a single rule', Example A (alpha* and beta*, older than 5 days)", () => {
    const images: EvaluatedImage[] = [
      { id: "A", tags: ["alpha-1"], pushedDaysAgo: 12 },
      { id: "B", tags: ["beta-1"], pushedDaysAgo: 11 },
      { id: "C", tags: ["alpha-2", "beta-2"], pushedDaysAgo: 10 },
      { id: "D", tags: ["alpha-3"], pushedDaysAgo: 4 },
      { id: "E", tags: ["beta-3"], pushedDaysAgo: 3 },
      { id: "F", tags: ["alpha-4", "beta-4"], pushedDaysAgo: 2 },
    ];
    const policy = {
      rules: [
        expireRule(1, {
          tagStatus: "tagged",
          tagPatternList: ["alpha*", "beta*"],
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: 5,
        }),
      ],
    };
    assert.deepEqual(sorted(evaluateLifecycle(policy, images).expired), ["C"]);
  });

  it("expires images A and B under 'Filtering on multiple tags in a single rule', Example B (tags are not exclusive)", () => {
    const images: EvaluatedImage[] = [
      { id: "A", tags: ["alpha-1", "beta-1", "gamma-1"], pushedDaysAgo: 10 },
      { id: "B", tags: ["alpha-2", "beta-2"], pushedDaysAgo: 9 },
      { id: "C", tags: ["alpha-3", "beta-3", "gamma-2"], pushedDaysAgo: 8 },
    ];
    const policy = {
      rules: [
        expireRule(1, {
          tagStatus: "tagged",
          tagPatternList: ["alpha*", "beta*"],
          countType: "imageCountMoreThan",
          countNumber: 1,
        }),
      ],
    };
    assert.deepEqual(sorted(evaluateLifecycle(policy, images).expired), ["A", "B"]);
  });

  it("expires images A, B and C under 'Filtering on all images', Example A (any, keep 1)", () => {
    const images: EvaluatedImage[] = [
      { id: "A", tags: ["alpha-1"], pushedDaysAgo: 4 },
      { id: "B", tags: ["beta-1"], pushedDaysAgo: 3 },
      { id: "C", tags: [], pushedDaysAgo: 2 },
      { id: "D", tags: ["alpha-2"], pushedDaysAgo: 1 },
    ];
    const policy = {
      rules: [expireRule(1, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 })],
    };
    assert.deepEqual(sorted(evaluateLifecycle(policy, images).expired), ["A", "B", "C"]);
  });

  it("expires A by rule 1, B by rule 2 and D by rule 3 under 'Filtering on all images', Example B", () => {
    // D and E were both pushed "1 day ago"; the page's outcome (rule 3 keeps E and marks D) makes
    // E the newer, and rule 2 ("older than one day") leaves E, so D is placed a little earlier.
    const images: EvaluatedImage[] = [
      { id: "A", tags: ["alpha-1", "beta-1"], pushedDaysAgo: 4 },
      { id: "B", tags: [], pushedDaysAgo: 3 },
      { id: "C", tags: ["alpha-2"], pushedDaysAgo: 2 },
      { id: "D", tags: ["git hash"], pushedDaysAgo: 1.2 },
      { id: "E", tags: [], pushedDaysAgo: 1 },
    ];
    const policy = {
      rules: [
        expireRule(1, {
          tagStatus: "tagged",
          tagPatternList: ["alpha*"],
          countType: "imageCountMoreThan",
          countNumber: 1,
        }),
        expireRule(2, {
          tagStatus: "untagged",
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: 1,
        }),
        expireRule(3, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 }),
      ],
    };
    const { expired } = evaluateLifecycle(policy, images);
    assert.deepEqual([...expired.entries()].sort(), [
      ["A", 1],
      ["B", 2],
      ["D", 3],
    ]);
  });

  it("matches tag patterns as the page's filters do: prod* matches prod, prod1 and production-team1", () => {
    // Amazon ECR User Guide, "Lifecycle policy evaluation rules".
    for (const tag of ["prod", "prod1", "production-team1"]) {
      assert.equal(tagPatternMatches("prod*", tag), true, tag);
    }
    assert.equal(tagPatternMatches("prod*", "preprod"), false);
    assert.equal(tagPatternMatches("*test*1*2*3", "a-test-1-2-3"), true);
  });

  it("archives images not pulled for N days and leaves archived ones to rules of their storage class", () => {
    // Not from the page: the transition semantics of "Lifecycle policy properties" (a rule
    // selects only images of its storage class; sinceImagePulled goes with transition).
    const images: EvaluatedImage[] = [
      { id: "pulled", tags: ["v1"], pushedDaysAgo: 400, pulledDaysAgo: 2 },
      { id: "idle", tags: ["v0"], pushedDaysAgo: 300, pulledDaysAgo: 200 },
      { id: "never", tags: ["v2"], pushedDaysAgo: 150 },
      { id: "archived", tags: ["v-1"], pushedDaysAgo: 900, storageClass: "archive" },
    ];
    const policy = {
      rules: [
        {
          rulePriority: 1,
          selection: {
            tagStatus: "any",
            countType: "sinceImagePulled",
            countUnit: "days",
            countNumber: 90,
          },
          action: { type: "transition", targetStorageClass: "archive" },
        },
      ],
    };
    const outcome = evaluateLifecycle(policy, images);
    assert.deepEqual(
      [sorted(outcome.transitioned), sorted(outcome.expired)],
      [["idle", "never"], []],
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The policy retentionPolicyDocument writes.

describe("retentionPolicyDocument", () => {
  it("writes exactly lifecyclePolicyDocument's policy when only keepImages is given", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.constantFrom(...riskLevels),
        fc.constantFrom<Partial<RetentionSettings>>(
          {},
          { protectedTagPatterns: [] },
          { untaggedExpireDays: undefined, archiveAfterDaysNotPulled: undefined },
        ),
        (keepImages, risk, unset) => {
          assert.equal(
            retentionPolicyDocument({ keepImages, ...unset }, risk),
            lifecyclePolicyDocument(keepImages, risk),
          );
        },
      ),
    );
  });

  // Adoption with no diff: registries the Terraform module made read back and write out the same.
  for (const [app, attributes] of Object.entries(stateInstances("aws_ecr_lifecycle_policy"))) {
    it(`reads ${app}'s Terraform policy back as settings that write it byte for byte`, () => {
      const risk = JSON.parse(attributes.policy).rules[0].description.match(/\((\w+) risk/)[1];
      const retention = retentionFromPolicy(attributes.policy);
      assert.deepEqual(retention, { keepImages: riskTiers[risk as RiskLevel].keepImages });
      assert.equal(retentionPolicyDocument(retention!, risk), attributes.policy);
    });
  }

  it("shields each protected pattern with a rule of its own first, then expires untagged images by age, then keeps the last N", () => {
    const text = retentionPolicyDocument(
      { keepImages: 50, untaggedExpireDays: 7, protectedTagPatterns: ["v*", "release-*"] },
      "high",
    );
    assert.equal(
      text,
      JSON.stringify({
        rules: [
          {
            action: { type: "expire" },
            description:
              "Never expire images tagged v*: no repository holds more than 100000 images (high risk policy)",
            rulePriority: 1,
            selection: {
              countNumber: 100000,
              countType: "imageCountMoreThan",
              tagPatternList: ["v*"],
              tagStatus: "tagged",
            },
          },
          {
            action: { type: "expire" },
            description:
              "Never expire images tagged release-*: no repository holds more than 100000 images (high risk policy)",
            rulePriority: 2,
            selection: {
              countNumber: 100000,
              countType: "imageCountMoreThan",
              tagPatternList: ["release-*"],
              tagStatus: "tagged",
            },
          },
          {
            action: { type: "expire" },
            description: "Expire untagged images 7 days after their push (high risk policy)",
            rulePriority: 3,
            selection: {
              countNumber: 7,
              countType: "sinceImagePushed",
              countUnit: "days",
              tagStatus: "untagged",
            },
          },
          {
            action: { type: "expire" },
            description: "Keep last 50 images (high risk policy)",
            rulePriority: 4,
            selection: { countNumber: 50, countType: "imageCountMoreThan", tagStatus: "any" },
          },
        ],
      }),
    );
  });

  it("archives release images not pulled for N days instead, with a transition to archive storage", () => {
    const [shield] = JSON.parse(
      retentionPolicyDocument(
        { keepImages: 30, protectedTagPatterns: ["v*"], archiveAfterDaysNotPulled: 1 },
        "medium",
      ),
    ).rules;
    assert.deepEqual(shield, {
      action: { targetStorageClass: "archive", type: "transition" },
      description:
        "Archive images tagged v* not pulled for 1 day, never expire them (medium risk policy)",
      rulePriority: 1,
      selection: {
        countNumber: 1,
        countType: "sinceImagePulled",
        countUnit: "days",
        tagPatternList: ["v*"],
        tagStatus: "tagged",
      },
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Generated settings and repositories: what the evaluator shows ECR doing with the policy.

const patternPool = ["v*", "release-*", "v1*", "*-rc", "pr-*", "latest", "*.*.*", "v*.*"];
const tagPool = [
  "v1",
  "v1.2",
  "v2.0.1",
  "release-3",
  "pr-7",
  "1.0-rc",
  "latest",
  "a1b2c3d",
  "main",
];

/** Valid settings for a tier: keepImages at least the tier's minimum. */
const retentionFor = (risk: RiskLevel, minimumKeep = 1) =>
  fc.record(
    {
      keepImages: fc.integer({
        min: Math.max(
          minimumKeep,
          releaseRetentionRiskLevels.includes(risk) ? riskTiers[risk].keepImages : 1,
        ),
        max: 60,
      }),
      untaggedExpireDays: fc.integer({ min: 1, max: 3650 }),
      protectedTagPatterns: fc.uniqueArray(fc.constantFrom(...patternPool), {
        minLength: 1,
        maxLength: 4,
      }),
      archiveAfterDaysNotPulled: fc.integer({ min: 1, max: 3650 }),
    },
    { requiredKeys: ["keepImages"] },
  );

const settingsAndRisk = fc
  .constantFrom(...riskLevels)
  .chain((risk) => fc.tuple(fc.constant(risk), retentionFor(risk)));

/** Images with distinct push times (ECR's order among equal push times is not documented). */
const repository = fc
  .uniqueArray(fc.integer({ min: 0, max: 4000 }), { maxLength: 70 })
  .chain((pushes) =>
    fc.tuple(
      ...pushes.map((pushed, i) =>
        fc.record({
          id: fc.constant(`image-${i}`),
          tags: fc.uniqueArray(fc.constantFrom(...tagPool), { maxLength: 3 }),
          pushedDaysAgo: fc.constant(pushed + 0.5),
          pulledDaysAgo: fc.option(
            fc.integer({ min: 0, max: pushed }).map((d) => d + 0.25),
            {
              nil: undefined,
            },
          ),
          storageClass: fc.constantFrom<"standard" | "archive">("standard", "standard", "archive"),
        }),
      ),
    ),
  )
  .map((images) =>
    images.map(({ pulledDaysAgo, ...image }) => ({
      ...image,
      ...(pulledDaysAgo !== undefined && { pulledDaysAgo }),
    })),
  );

/**
 * What ECR does with the policy of `retention`, predicted image by image. Only images of
 * standard storage are touched (the policy has no rule of the archive storage class). An image
 * with a protected tag is never expired: it is moved to archive when `archiveAfterDaysNotPulled`
 * is set and it was last pulled (or, never pulled, pushed) more days ago, else left alone. An
 * untagged image, with `untaggedExpireDays`, expires exactly when pushed more days ago. Every
 * other image expires exactly when at least `keepImages` images of standard storage (any tags,
 * protected and untagged ones included: the `any` rule counts them all) were pushed after it.
 */
function predicted(retention: RetentionSettings, images: readonly EvaluatedImage[]) {
  const standard = images.filter((i) => i.storageClass !== "archive");
  const expired: string[] = [];
  const transitioned: string[] = [];
  for (const image of standard) {
    const isProtected = image.tags.some((tag) =>
      (retention.protectedTagPatterns ?? []).some((p) => tagPatternMatches(p, tag)),
    );
    const newer = standard.filter((other) => other.pushedDaysAgo < image.pushedDaysAgo).length;
    if (isProtected) {
      const idle = image.pulledDaysAgo ?? image.pushedDaysAgo;
      if (
        retention.archiveAfterDaysNotPulled !== undefined &&
        idle > retention.archiveAfterDaysNotPulled
      ) {
        transitioned.push(image.id);
      }
    } else if (image.tags.length === 0 && retention.untaggedExpireDays !== undefined) {
      if (image.pushedDaysAgo > retention.untaggedExpireDays) {
        expired.push(image.id);
      }
    } else if (newer >= retention.keepImages) {
      expired.push(image.id);
    }
  }
  return { expired: expired.sort(), transitioned: transitioned.sort() };
}

describe("retentionPolicyDocument's policy, as ECR applies it (the evaluator)", () => {
  it("does to every image exactly what the settings say, on generated settings and repositories", () => {
    fc.assert(
      fc.property(settingsAndRisk, repository, ([risk, retention], images) => {
        const outcome = evaluateLifecycle(retentionPolicyDocument(retention, risk), images);
        assert.deepEqual(
          { expired: sorted(outcome.expired), transitioned: sorted(outcome.transitioned) },
          predicted(retention, images),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("never expires an image with a protected tag, and never touches an archived image", () => {
    fc.assert(
      fc.property(settingsAndRisk, repository, ([risk, retention], images) => {
        const { expired, transitioned } = evaluateLifecycle(
          retentionPolicyDocument(retention, risk),
          images,
        );
        for (const image of images) {
          const isProtected = image.tags.some((tag) =>
            (retention.protectedTagPatterns ?? []).some((p) => tagPatternMatches(p, tag)),
          );
          if (isProtected || image.storageClass === "archive") {
            assert.equal(expired.has(image.id), false, `${image.id} ${image.tags.join(",")}`);
          }
          if (image.storageClass === "archive") {
            assert.equal(transitioned.has(image.id), false, image.id);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("expires every untagged image pushed more than untaggedExpireDays ago, and keeps at most keepImages tagged unprotected images", () => {
    fc.assert(
      fc.property(settingsAndRisk, repository, ([risk, retention], images) => {
        const { expired } = evaluateLifecycle(retentionPolicyDocument(retention, risk), images);
        const standard = images.filter((i) => i.storageClass !== "archive");
        if (retention.untaggedExpireDays !== undefined) {
          for (const image of standard.filter((i) => i.tags.length === 0)) {
            assert.equal(
              expired.has(image.id),
              image.pushedDaysAgo > retention.untaggedExpireDays,
              image.id,
            );
          }
        }
        const keptTaggedUnprotected = standard.filter(
          (i) =>
            i.tags.length > 0 &&
            !i.tags.some((t) =>
              (retention.protectedTagPatterns ?? []).some((p) => tagPatternMatches(p, t)),
            ) &&
            !expired.has(i.id),
        );
        assert.ok(keptTaggedUnprotected.length <= retention.keepImages);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps a release older than the last N images, while the one-rule policy would expire it", () => {
    const images: EvaluatedImage[] = [
      { id: "running", tags: ["v1.0.0", "a1b2c3d"], pushedDaysAgo: 40 },
      ...Array.from({ length: 3 }, (_, i) => ({
        id: `build-${i}`,
        tags: [`b${i}`],
        pushedDaysAgo: 3 - i,
      })),
    ];
    const protectedPolicy = retentionPolicyDocument(
      { keepImages: 2, protectedTagPatterns: ["v*"] },
      "low",
    );
    assert.deepEqual(sorted(evaluateLifecycle(protectedPolicy, images).expired), ["build-0"]);
    assert.deepEqual(sorted(evaluateLifecycle(lifecyclePolicyDocument(2, "low"), images).expired), [
      "build-0",
      "running",
    ]);
  });
});

describe("retentionPolicyDocument's policy, as the policy pack reads and judges it", () => {
  it("parses with the pack's parser: priorities unique and ascending, the any rule last", () => {
    fc.assert(
      fc.property(settingsAndRisk, ([risk, retention]) => {
        const text = retentionPolicyDocument(retention, risk);
        const parsed = parseLifecyclePolicy(text);
        assert.ok(parsed.ok, JSON.stringify(parsed));
        const priorities = JSON.parse(text).rules.map(
          (r: { rulePriority: number }) => r.rulePriority,
        );
        assert.deepEqual(
          priorities,
          priorities.map((_: number, i: number) => i + 1),
        );
        assert.equal(parsed.rules[parsed.rules.length - 1].tagStatus, "any");
      }),
      { numRuns: 300 },
    );
  });

  it("has no finding against the tier's count and the same protected patterns when keepImages is at least the tier's", () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...riskLevels)
          .chain((risk) =>
            fc.tuple(fc.constant(risk), retentionFor(risk, riskTiers[risk].keepImages)),
          ),
        ([risk, retention]) => {
          const findings = judgeLifecycle(retentionPolicyDocument(retention, risk), {
            keepImages: riskTiers[risk].keepImages,
            protectedTagPatterns: retention.protectedTagPatterns ?? [],
          });
          assert.deepEqual(findings, []);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("is reported by the pack when keepImages is below the tier's count: the any rule keeps too few", () => {
    const findings = judgeLifecycle(
      retentionPolicyDocument({ keepImages: 5, protectedTagPatterns: ["v*"] }, "low"),
      { keepImages: riskTiers.low.keepImages, protectedTagPatterns: ["v*"] },
    );
    assert.deepEqual(
      findings.map((f) => (f.kind === "rule" ? [f.rule.rulePriority, f.everyImage] : f.kind)),
      [[2, true]],
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Reading a policy back.

describe("retentionFromPolicy", () => {
  it("reads back the settings of every policy retentionPolicyDocument writes", () => {
    fc.assert(
      fc.property(settingsAndRisk, ([risk, retention]) => {
        assert.deepEqual(
          retentionFromPolicy(retentionPolicyDocument(retention, risk)),
          normalRetention(retention),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("reads every policy keptImages reads as { keepImages } of its count", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.constantFrom(...riskLevels),
        (n, risk) => {
          const text = lifecyclePolicyDocument(n, risk);
          assert.equal(keptImages(text), n);
          assert.deepEqual(retentionFromPolicy(text), { keepImages: n });
        },
      ),
    );
    // keptImages ignores the priority and the description of its one rule; so does this.
    const loose = JSON.stringify({
      rules: [
        {
          rulePriority: 7,
          description: "hand written",
          selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 12 },
          action: { type: "expire" },
        },
      ],
    });
    assert.deepEqual(retentionFromPolicy(loose), { keepImages: 12 });
  });

  it("reads nothing from a policy retentionPolicyDocument would not write", () => {
    const written = JSON.parse(
      retentionPolicyDocument(
        { keepImages: 30, untaggedExpireDays: 14, protectedTagPatterns: ["v*", "release-*"] },
        "medium",
      ),
    ).rules;
    const text = (rules: unknown) => JSON.stringify({ rules });
    const [v, release, untagged, any] = written;
    const cases: Record<string, string | undefined> = {
      missing: undefined,
      "not JSON": "{",
      "rules out of order": text([release, v, any, untagged]),
      "a shield of two patterns": text([
        { ...v, selection: { ...v.selection, tagPatternList: ["v*", "release-*"] } },
        untagged,
        any,
      ]),
      "a shield with a smaller count": text([
        { ...v, selection: { ...v.selection, countNumber: 99_999 } },
        untagged,
        any,
      ]),
      "a shield by prefix": text([
        {
          ...v,
          selection: { ...v.selection, tagPatternList: undefined, tagPrefixList: ["v"] },
        },
        any,
      ]),
      "a field ECR knows but the settings do not write": text([
        v,
        { ...untagged, selection: { ...untagged.selection, storageClass: "standard" } },
        any,
      ]),
      "an untagged rule by count": text([
        v,
        {
          ...untagged,
          selection: { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 3 },
        },
        any,
      ]),
      "the same pattern twice": text([v, { ...v, rulePriority: 2 }, { ...any, rulePriority: 3 }]),
      "an archive shield beside an expiring one": text([
        {
          ...v,
          selection: {
            ...v.selection,
            countType: "sinceImagePulled",
            countUnit: "days",
            countNumber: 90,
          },
          action: { targetStorageClass: "archive", type: "transition" },
        },
        { ...release, rulePriority: 2 },
        { ...any, rulePriority: 3 },
      ]),
      "a fractional keep count": text([
        v,
        untagged,
        { ...any, selection: { ...any.selection, countNumber: 2.5 } },
      ]),
    };
    for (const [name, policy] of Object.entries(cases)) {
      assert.equal(retentionFromPolicy(policy), undefined, name);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Problems with the settings.

describe("retentionProblems", () => {
  const messages = (value: unknown, risk: RiskLevel = "low") =>
    retentionProblems("ecr.retention", value, risk).map((p) => p.message);

  it("finds nothing in valid settings", () => {
    assert.deepEqual(
      messages(
        {
          keepImages: 50,
          untaggedExpireDays: 3650,
          protectedTagPatterns: ["v*", "*test*1*2*3"],
          archiveAfterDaysNotPulled: 1,
        },
        "high",
      ),
      [],
    );
  });

  it("refuses settings that are not an object", () => {
    assert.deepEqual(messages(30), [
      "ecr.retention is 30; must be an object with keepImages and any of untaggedExpireDays, protectedTagPatterns, archiveAfterDaysNotPulled",
    ]);
  });

  it("refuses a misspelt setting and a keepImages that is missing or not a whole number", () => {
    assert.deepEqual(messages({ keepImage: 30 }), [
      "ecr.retention.keepImage is not a setting; allowed: keepImages, untaggedExpireDays, protectedTagPatterns, archiveAfterDaysNotPulled",
      "ecr.retention.keepImages is missing; must be a whole number of images, at least 1",
    ]);
    assert.deepEqual(messages({ keepImages: 2.5 }), [
      "ecr.retention.keepImages is 2.5; must be a whole number of images, at least 1",
    ]);
  });

  it("refuses keepImages below the tier's count for a tier that serves production, as ecr.keepImages is", () => {
    assert.deepEqual(messages({ keepImages: 49 }, "high"), [
      "ecr.retention.keepImages is 49; must be at least 50 for a high-risk registry, which serves production: fewer would expire releases an environment may still run",
    ]);
    assert.deepEqual(messages({ keepImages: 1 }, "medium"), []);
  });

  it("refuses days that are not whole numbers from 1 to 3650", () => {
    assert.deepEqual(
      messages({
        keepImages: 30,
        untaggedExpireDays: 0,
        archiveAfterDaysNotPulled: 3651,
        protectedTagPatterns: ["v*"],
      }),
      [
        "ecr.retention.untaggedExpireDays is 0; must be a whole number of days from 1 to 3650",
        "ecr.retention.archiveAfterDaysNotPulled is 3651; must be a whole number of days from 1 to 3650",
      ],
    );
    assert.deepEqual(messages({ keepImages: 30, untaggedExpireDays: "7" }), [
      'ecr.retention.untaggedExpireDays is "7"; must be a whole number of days from 1 to 3650',
    ]);
  });

  it("refuses patterns that are no ECR tag pattern, have more than four wildcards, match every tag, or repeat", () => {
    assert.deepEqual(
      messages({
        keepImages: 30,
        protectedTagPatterns: ["v*", "v 1", "test*1*2*3*4*5*6", "*", "**", 7, "v*"],
      }),
      [
        "ecr.retention.protectedTagPatterns[1] is \"v 1\"; must be an ECR tag pattern: 1 to 128 letters, digits, '.', '_', '-' or '*', e.g. \"v*\"",
        'ecr.retention.protectedTagPatterns[2] is "test*1*2*3*4*5*6"; has 6 wildcards; ECR takes at most 4 per pattern, e.g. "v*.*.*"',
        'ecr.retention.protectedTagPatterns[3] is "*"; matches every tag, so it would keep every tagged image forever; name release tags, e.g. "v*" or "release-*"',
        'ecr.retention.protectedTagPatterns[4] is "**"; matches every tag, so it would keep every tagged image forever; name release tags, e.g. "v*" or "release-*"',
        "ecr.retention.protectedTagPatterns[5] is 7; must be a string",
        'ecr.retention.protectedTagPatterns[6] is "v*"; repeats ecr.retention.protectedTagPatterns[0]; list each pattern once',
      ],
    );
  });

  it("refuses a pattern list that is empty or not a list", () => {
    assert.deepEqual(messages({ keepImages: 30, protectedTagPatterns: [] }), [
      'ecr.retention.protectedTagPatterns is []; must list at least one ECR tag pattern, e.g. ["v*"]',
    ]);
    assert.deepEqual(messages({ keepImages: 30, protectedTagPatterns: "v*" }), [
      'ecr.retention.protectedTagPatterns is "v*"; must list at least one ECR tag pattern, e.g. ["v*"]',
    ]);
  });

  it("refuses archiving without protected patterns: it archives the images they protect", () => {
    assert.deepEqual(messages({ keepImages: 30, archiveAfterDaysNotPulled: 180 }), [
      'ecr.retention.archiveAfterDaysNotPulled is 180; archives the images protectedTagPatterns protects: give ecr.retention.protectedTagPatterns too, e.g. ["v*"]',
    ]);
  });

  it("refuses patterns that make the policy longer than ECR's 30,720 characters", () => {
    const patterns = Array.from({ length: 120 }, (_, i) => `${"r".repeat(100)}-${i}*`);
    const retention = { keepImages: 30, protectedTagPatterns: patterns };
    const length = retentionPolicyDocument(retention, "low").length;
    assert.ok(length > 30_720);
    assert.deepEqual(messages(retention), [
      `ecr.retention.protectedTagPatterns is ${describeValue(patterns)}; makes a lifecycle policy of ${length} characters; ECR takes at most 30720: give fewer patterns`,
    ]);
  });
});
