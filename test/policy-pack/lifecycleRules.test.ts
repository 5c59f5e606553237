import { strict as assert } from "assert";
import fc from "fast-check";
import { lifecyclePolicyDocument } from "../../components/lifecyclePolicy";
import { riskLevels, riskTiers } from "../../policy-pack/governance/registry";
import {
  includes,
  judgeLifecycle,
  LifecycleFinding,
  matchesTag,
  parseLifecyclePolicy,
  prefixPattern,
  tagPattern,
} from "../../policy-pack/resources/lifecycleRules";
import { stateInstances } from "../helpers/fixtures";

// ---------------------------------------------------------------------------------------------
// An evaluator of lifecycle policies written from the Amazon ECR User Guide alone (it shares no
// code with the module): "Automate the cleanup of images by using lifecycle policies", section
// "Lifecycle policy evaluation rules", and "Lifecycle policy properties in Amazon ECR".

interface Image {
  readonly id: string;
  readonly tags: readonly string[];
  /** Days since the push; unique within a repository (ECR's push times are timestamps). */
  readonly pushed: number;
  readonly storage?: "standard" | "archive";
  /** Days since it was archived. */
  readonly archived?: number;
  /** Days since its last pull; never pulled counts from the push. */
  readonly pulled?: number;
}

const globMatches = (pattern: string, tag: string) =>
  new RegExp(`^${pattern.split("*").map(escapeRegExp).join("[\\s\\S]*")}$`).test(tag);
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** "The rule will only select images of this storage class"; tag lists are a conjunction. */
function selects(selection: any, image: Image): boolean {
  if ((selection.storageClass ?? "standard") !== (image.storage ?? "standard")) {
    return false;
  }
  if (selection.tagStatus === "any") {
    return true;
  }
  if (selection.tagStatus === "untagged") {
    return image.tags.length === 0;
  }
  // "An image is successfully matched if all of the tags in the tagPatternList or tagPrefixList
  // value are matched against any of the image's tags."
  const matches = (entry: string, tag: string) =>
    selection.tagPatternList ? globMatches(entry, tag) : tag.startsWith(entry);
  const list: string[] = selection.tagPatternList ?? selection.tagPrefixList;
  return list.every((entry) => image.tags.some((tag) => matches(entry, tag)));
}

/** What a rule marks, "as if they haven't been expired or archived" by other rules. */
function marks(selection: any, selected: readonly Image[]): Image[] {
  const n = selection.countNumber;
  switch (selection.countType) {
    case "imageCountMoreThan":
      // "images are sorted from youngest to oldest based on pushed_at_time and then all images
      // greater than the specified count are expired or archived"
      return [...selected].sort((a, b) => a.pushed - b.pushed).slice(n);
    case "sinceImagePushed":
      return selected.filter((image) => image.pushed > n);
    case "sinceImagePulled":
      return selected.filter((image) => (image.pulled ?? image.pushed) > n);
    default:
      return selected.filter((image) => (image.archived ?? 0) > n);
  }
}

/** Which images the policy expires and archives, each by the priority of the rule acting on it. */
function evaluate(policy: any, images: readonly Image[]) {
  const rules = [...policy.rules].sort((a: any, b: any) => a.rulePriority - b.rulePriority);
  // "An image that matches the tagging requirements of a rule cannot be expired or archived by a
  // rule with a lower priority": the first rule selecting an image is the only one acting on it.
  const owner = new Map(
    images.map((image) => [image.id, rules.find((rule) => selects(rule.selection, image))]),
  );
  const expired = new Map<string, number>();
  const archived = new Map<string, number>();
  for (const rule of rules) {
    const selected = images.filter((image) => selects(rule.selection, image));
    for (const image of marks(rule.selection, selected)) {
      if (owner.get(image.id) === rule) {
        (rule.action.type === "expire" ? expired : archived).set(image.id, rule.rulePriority);
      }
    }
  }
  return { expired, archived };
}

const rule = (rulePriority: number, selection: Record<string, unknown>, type = "expire") => ({
  rulePriority,
  description: `Rule ${rulePriority}`,
  selection,
  action: type === "expire" ? { type } : { type, targetStorageClass: "archive" },
});
const keepNewest = (n: number, extra: Record<string, unknown> = {}) => ({
  countType: "imageCountMoreThan",
  countNumber: n,
  ...extra,
});
const olderThan = (days: number, extra: Record<string, unknown> = {}) => ({
  countType: "sinceImagePushed",
  countUnit: "days",
  countNumber: days,
  ...extra,
});
const tagged = (tagPatternList: string[]) => ({ tagStatus: "tagged", tagPatternList });

describe("the lifecycle evaluator written from AWS's documentation", () => {
  // Amazon ECR User Guide, "Examples of lifecycle policies in Amazon ECR".
  const multipleRulesRepository: Image[] = [
    { id: "A", tags: ["beta-1", "prod-1"], pushed: 10 },
    { id: "B", tags: ["beta-2", "prod-2"], pushed: 9 },
    { id: "C", tags: ["beta-3"], pushed: 8 },
  ];

  it("expires image A under 'Filtering on multiple rules', Example A (prod* then beta*)", () => {
    const policy = {
      rules: [
        rule(1, { ...tagged(["prod*"]), ...keepNewest(1) }),
        rule(2, { ...tagged(["beta*"]), ...keepNewest(1) }),
      ],
    };
    assert.deepEqual([...evaluate(policy, multipleRulesRepository).expired.keys()], ["A"]);
  });

  it("expires images A and B under 'Filtering on multiple rules', Example B (beta* then prod*)", () => {
    const policy = {
      rules: [
        rule(1, { ...tagged(["beta*"]), ...keepNewest(1) }),
        rule(2, { ...tagged(["prod*"]), ...keepNewest(1) }),
      ],
    };
    assert.deepEqual([...evaluate(policy, multipleRulesRepository).expired.keys()].sort(), [
      "A",
      "B",
    ]);
  });
});

describe("the lifecycle evaluator on AWS's examples of several tags, all images and archives", () => {
  it("expires image C under 'Filtering on multiple tags in a single rule', Example A", () => {
    const images: Image[] = [
      { id: "A", tags: ["alpha-1"], pushed: 12 },
      { id: "B", tags: ["beta-1"], pushed: 11 },
      { id: "C", tags: ["alpha-2", "beta-2"], pushed: 10 },
      { id: "D", tags: ["alpha-3"], pushed: 4 },
      { id: "E", tags: ["beta-3"], pushed: 3 },
      { id: "F", tags: ["alpha-4", "beta-4"], pushed: 2 },
    ];
    const policy = { rules: [rule(1, { ...tagged(["alpha*", "beta*"]), ...olderThan(5) })] };
    assert.deepEqual([...evaluate(policy, images).expired.keys()], ["C"]);
  });

  it("expires images A and B under 'Filtering on multiple tags in a single rule', Example B (tags are not exclusive)", () => {
    const images: Image[] = [
      { id: "A", tags: ["alpha-1", "beta-1", "gamma-1"], pushed: 10 },
      { id: "B", tags: ["alpha-2", "beta-2"], pushed: 9 },
      { id: "C", tags: ["alpha-3", "beta-3", "gamma-2"], pushed: 8 },
    ];
    const policy = { rules: [rule(1, { ...tagged(["alpha*", "beta*"]), ...keepNewest(1) })] };
    assert.deepEqual([...evaluate(policy, images).expired.keys()].sort(), ["A", "B"]);
  });

  it("expires images A, B and C under 'Filtering on all images', Example A", () => {
    const images: Image[] = [
      { id: "A", tags: ["alpha-1"], pushed: 4 },
      { id: "B", tags: ["beta-1"], pushed: 3 },
      { id: "C", tags: [], pushed: 2 },
      { id: "D", tags: ["alpha-2"], pushed: 1 },
    ];
    const policy = { rules: [rule(1, { tagStatus: "any", ...keepNewest(1) })] };
    assert.deepEqual([...evaluate(policy, images).expired.keys()].sort(), ["A", "B", "C"]);
  });

  it("expires images A, B and D under 'Filtering on all images', Example B", () => {
    // D and E were both pushed "1 day ago"; the documented result (rule 3 keeps E, marks D)
    // says E is the newer, and rule 2 ("older than one day") leaves E.
    const images: Image[] = [
      { id: "A", tags: ["alpha-1", "beta-1"], pushed: 4 },
      { id: "B", tags: [], pushed: 3 },
      { id: "C", tags: ["alpha-2"], pushed: 2 },
      { id: "D", tags: ["git hash"], pushed: 1.2 },
      { id: "E", tags: [], pushed: 1 },
    ];
    const policy = {
      rules: [
        rule(1, { ...tagged(["alpha*"]), ...keepNewest(1) }),
        rule(2, { tagStatus: "untagged", ...olderThan(1) }),
        rule(3, { tagStatus: "any", ...keepNewest(1) }),
      ],
    };
    assert.deepEqual([...evaluate(policy, images).expired.keys()].sort(), ["A", "B", "D"]);
  });

  it("archives, then expires after 365 days in archive, under 'Combining archive and expire rules'", () => {
    const images: Image[] = [
      { id: "new", tags: ["v2"], pushed: 3 },
      { id: "old", tags: ["v1"], pushed: 40 },
      { id: "gone", tags: ["v0"], pushed: 500, storage: "archive", archived: 400 },
    ];
    const policy = {
      rules: [
        rule(1, { tagStatus: "any", ...olderThan(30) }, "transition"),
        rule(2, {
          tagStatus: "any",
          storageClass: "archive",
          countType: "sinceImageTransitioned",
          countUnit: "days",
          countNumber: 365,
        }),
      ],
    };
    const { expired, archived } = evaluate(policy, images);
    assert.deepEqual([[...archived.keys()], [...expired.keys()]], [["old"], ["gone"]]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("tag patterns", () => {
  it("match as ECR documents: prod* matches prod, prod1 and production-team1; *prod* matches repo-production", () => {
    const prod = tagPattern("prod*");
    assert.deepEqual(
      ["prod", "prod1", "production-team1", "pro", "xprod"].map((t) => matchesTag(prod, t)),
      [true, true, true, false, false],
    );
    assert.deepEqual(
      ["repo-production", "prod-team", "pr-od"].map((t) => matchesTag(tagPattern("*prod*"), t)),
      [true, true, false],
    );
  });

  it("take a prefix's characters literally: the prefix v* matches only tags beginning with v*", () => {
    assert.deepEqual(
      [matchesTag(prefixPattern("v*"), "v1"), matchesTag(prefixPattern("v*"), "v*1")],
      [false, true],
    );
  });

  it("match tags exactly as a regular expression translated from them does", () => {
    const pattern = fc.stringMatching(/^[ab*]{0,6}$/);
    fc.assert(
      fc.property(pattern, fc.stringMatching(/^[ab]{0,8}$/), (p, tag) =>
        assert.equal(matchesTag(tagPattern(p), tag), globMatches(p, tag), `${p} ~ ${tag}`),
      ),
      { numRuns: 2000 },
    );
  });

  it("include one another exactly when every string one matches, the other matches", () => {
    // Strings over the patterns' letters and one more, no longer than the inner pattern with
    // each * as one letter: the inclusion proof's witness is among them, so this is complete.
    const strings = (length: number): string[] =>
      length === 0
        ? [""]
        : ["", ...strings(length - 1).flatMap((s) => ["a", "b", "c"].map((c) => s + c))];
    const pattern = fc.stringMatching(/^[ab*]{0,5}$/);
    fc.assert(
      fc.property(pattern, pattern, (outer, inner) => {
        const expected = strings(inner.length).every(
          (s) => !globMatches(inner, s) || globMatches(outer, s),
        );
        assert.equal(
          includes(tagPattern(outer), tagPattern(inner)),
          expected,
          `${outer} ⊇ ${inner}`,
        );
      }),
      { numRuns: 1000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

const options = { keepImages: 50, protectedTagPatterns: ["v*", "release-*"] };
const shields = [
  rule(1, { ...tagged(["v*"]), ...keepNewest(50) }),
  rule(2, { ...tagged(["release-*"]), ...keepNewest(50) }),
];
const summary = (findings: LifecycleFinding[]) =>
  findings.map((f) =>
    f.kind === "unreadable"
      ? f
      : {
          rule: f.rule.rulePriority,
          by: f.by,
          protectedPatterns: f.protectedPatterns,
          everyImage: f.everyImage,
        },
  );

describe("parseLifecyclePolicy", () => {
  it("reads JSON text and objects alike, the rules by priority", () => {
    const policy = {
      rules: [
        rule(7, { tagStatus: "any", ...keepNewest(5) }),
        rule(3, { ...tagged(["v*"]), ...keepNewest(9) }),
      ],
    };
    const fromText = parseLifecyclePolicy(JSON.stringify(policy));
    assert.deepEqual(fromText, parseLifecyclePolicy(policy));
    assert.deepEqual(fromText.ok && fromText.rules.map((r) => r.rulePriority), [3, 7]);
  });

  it("accepts every policy of AWS's examples page, archive rules included", () => {
    const archiveExpiry = {
      tagStatus: "any",
      storageClass: "archive",
      countType: "sinceImageTransitioned",
      countUnit: "days",
      countNumber: 365,
    };
    const examples = [
      { rules: [rule(1, { ...tagged(["prod*"]), ...olderThan(14) })] },
      {
        rules: [
          rule(
            1,
            { tagStatus: "any", countType: "sinceImagePulled", countUnit: "days", countNumber: 90 },
            "transition",
          ),
        ],
      },
      { rules: [rule(1, archiveExpiry)] },
      { rules: [rule(1, { tagStatus: "untagged", ...keepNewest(1) })] },
      {
        rules: [
          rule(1, { tagStatus: "any", ...olderThan(30) }, "transition"),
          rule(2, archiveExpiry),
        ],
      },
    ];
    assert.deepEqual(
      examples.map((policy) => parseLifecyclePolicy(policy).ok),
      examples.map(() => true),
    );
  });
});

describe("parseLifecyclePolicy refusals", () => {
  it("refuses text that is not JSON, naming the parser's complaint", () => {
    const text = '{"rules": [';
    let complaint = "";
    try {
      JSON.parse(text);
    } catch (e) {
      complaint = (e as Error).message;
    }
    assert.deepEqual(parseLifecyclePolicy(text), {
      ok: false,
      problems: [
        `the lifecycle policy is not JSON (${complaint}); give the text ECR accepts, e.g. {"rules":[...]}`,
      ],
    });
  });

  it("refuses what ECR refuses, every problem at once, each naming the rule and field", () => {
    const policy = {
      rules: [
        rule(1, { tagStatus: "tagged", countType: "imageCountMoreThan", countNumber: 0 }),
        rule(2, {
          tagStatus: "any",
          tagPrefixList: ["v"],
          ...olderThan(3, { countUnit: "hours" }),
        }),
        rule(3, {
          ...tagged(["a*b*c*d*e*f"]),
          countType: "sinceImagePulled",
          countUnit: "days",
          countNumber: 9,
        }),
        rule(4, {
          tagStatus: "any",
          storageClass: "archive",
          countType: "sinceImageTransitioned",
          countUnit: "days",
          countNumber: 30,
        }),
        {
          rulePriority: 4,
          selection: { tagStatus: "untagged", ...keepNewest(1, { countUnit: "days" }) },
          action: { type: "transition" },
        },
        { rulePriority: "5", selection: {}, action: { type: "delete" }, extra: true },
      ],
    };
    assert.deepEqual(parseLifecyclePolicy(policy), {
      ok: false,
      problems: [
        'rule 1: selection.tagPatternList is missing; tagStatus "tagged" needs tagPatternList or tagPrefixList, e.g. tagPatternList ["v*"]',
        'rule 1: selection.countNumber is 0; a positive integer ("0 is not an accepted value"), e.g. 30',
        'rule 2: selection.tagPrefixList is given with tagStatus "any"; tag lists only go with tagStatus "tagged"',
        'rule 2: selection.countUnit is "hours"; sinceImagePushed counts "days"',
        'rule 3: selection.tagPatternList entry "a*b*c*d*e*f" has 5 wildcards; at most 4 per pattern',
        'rule 3: action.type is "expire" with countType sinceImagePulled; sinceImagePulled only archives: use type "transition"',
        "rule 4: selection.countNumber is 30 with countType sinceImageTransitioned; at least 90 (archived images stay 90 days)",
        'rule 4: selection.countUnit is "days" with countType imageCountMoreThan; countUnit only goes with sinceImagePushed, sinceImagePulled, sinceImageTransitioned',
        'rule 4: action.targetStorageClass is missing; transition needs "archive"',
        "rules[5]: extra is not a lifecycle policy field; the fields are rulePriority, description, selection, action",
        'rules[5]: rulePriority is "5"; a positive integer, e.g. 1',
        "rules[4].rulePriority is 4, as is rules[3]'s; each rule needs its own rulePriority",
      ],
    });
  });
});

describe("parseLifecyclePolicy refusals across the rules of a storage class", () => {
  it("refuses an any rule before another rule of its storage class, a second untagged rule and a repeated tag list", () => {
    const policy = {
      rules: [
        rule(1, { tagStatus: "any", ...keepNewest(50) }),
        rule(2, { tagStatus: "untagged", ...olderThan(7) }),
        rule(3, { tagStatus: "untagged", ...keepNewest(1) }),
        rule(4, { ...tagged(["v*", "x*"]), ...keepNewest(50) }),
        rule(5, { ...tagged(["x*", "v*"]), ...olderThan(7) }),
      ],
    };
    assert.deepEqual(parseLifecyclePolicy(policy), {
      ok: false,
      problems: [
        'rule 1: tagStatus "any" must have the highest rulePriority of the standard rules, but rule 5 comes after it',
        'rule 3: tagStatus "untagged" is also rule 2\'s; one standard rule may select untagged images',
        'rule 5: selection.tagPatternList ["x*","v*"] repeats rule 4\'s; the standard rules need unique tag lists',
      ],
    });
  });
});

describe("judgeLifecycle", () => {
  it("finds nothing in the component's policy for any tier: the last N images, whatever their tags", () => {
    for (const risk of riskLevels) {
      const { keepImages } = riskTiers[risk];
      const policy = lifecyclePolicyDocument(keepImages, risk);
      assert.deepEqual(judgeLifecycle(policy, { ...options, keepImages }), [], risk);
    }
  });

  it("finds nothing in the one-rule policies the seed Terraform module applied", () => {
    for (const [app, { policy }] of Object.entries(stateInstances("aws_ecr_lifecycle_policy"))) {
      const risk = JSON.parse(policy).rules[0].description.match(/\((\w+) risk/)[1];
      const keepImages = riskTiers[risk as keyof typeof riskTiers].keepImages;
      assert.deepEqual(judgeLifecycle(policy, { ...options, keepImages }), [], app);
    }
  });

  it("reports a rule expiring v* release images a day after their push, and release-* ones also tagged v*", () => {
    const policy = { rules: [rule(1, { ...tagged(["v*"]), ...olderThan(1) })] };
    assert.deepEqual(summary(judgeLifecycle(policy, options)), [
      { rule: 1, by: "age", protectedPatterns: ["v*", "release-*"], everyImage: false },
    ]);
  });

  it("reports a rule on other tags, since a release can carry one of them too", () => {
    const policy = { rules: [rule(1, { ...tagged(["pr-*"]), ...olderThan(7) })] };
    assert.deepEqual(summary(judgeLifecycle(policy, options)), [
      { rule: 1, by: "age", protectedPatterns: ["v*", "release-*"], everyImage: false },
    ]);
  });

  it("finds nothing once earlier rules keep the releases: no later rule can expire what they select", () => {
    const policy = {
      rules: [
        ...shields,
        rule(3, { ...tagged(["pr-*"]), ...olderThan(7) }),
        rule(4, { tagStatus: "untagged", ...keepNewest(1) }),
        rule(5, { tagStatus: "any", ...keepNewest(50) }),
      ],
    };
    assert.deepEqual(judgeLifecycle(policy, options), []);
  });

  it("reports a release rule keeping fewer images than the tier, and later rules only for the releases it does not take", () => {
    const policy = {
      rules: [
        rule(1, { ...tagged(["v*"]), ...keepNewest(10) }),
        rule(2, { ...tagged(["pr-*"]), ...olderThan(7) }),
      ],
    };
    assert.deepEqual(summary(judgeLifecycle(policy, options)), [
      { rule: 1, by: "count", protectedPatterns: ["v*", "release-*"], everyImage: false },
      { rule: 2, by: "age", protectedPatterns: ["release-*"], everyImage: false },
    ]);
  });
});

describe("judgeLifecycle on rules on every image, untagged images and archives", () => {
  it("reports a rule on every image keeping fewer than the tier, with or without releases to take", () => {
    const alone = { rules: [rule(1, { tagStatus: "any", ...keepNewest(20) })] };
    const behindShields = { rules: [...shields, rule(3, { tagStatus: "any", ...olderThan(30) })] };
    assert.deepEqual(
      [summary(judgeLifecycle(alone, options)), summary(judgeLifecycle(behindShields, options))],
      [
        [{ rule: 1, by: "count", protectedPatterns: ["v*", "release-*"], everyImage: true }],
        [{ rule: 3, by: "age", protectedPatterns: [], everyImage: true }],
      ],
    );
  });

  it("finds nothing in rules that only select untagged images, or that only archive", () => {
    const policy = {
      rules: [
        rule(1, { tagStatus: "untagged", ...olderThan(1) }),
        rule(2, { ...tagged(["v*"]), ...olderThan(1) }, "transition"),
        rule(
          3,
          { tagStatus: "any", countType: "sinceImagePulled", countUnit: "days", countNumber: 9 },
          "transition",
        ),
      ],
    };
    assert.deepEqual(judgeLifecycle(policy, options), []);
  });

  it("reports a rule expiring archived images: no rule of the archive storage class keeps any", () => {
    const policy = {
      rules: [
        ...shields,
        rule(3, {
          tagStatus: "any",
          storageClass: "archive",
          countType: "sinceImageTransitioned",
          countUnit: "days",
          countNumber: 365,
        }),
      ],
    };
    assert.deepEqual(summary(judgeLifecycle(policy, options)), [
      { rule: 3, by: "age", protectedPatterns: ["v*", "release-*"], everyImage: false },
    ]);
  });

  it("finds nothing in a rule an earlier rule always takes the images of, even one selecting by two patterns", () => {
    const eclipsed = {
      rules: [
        rule(1, { ...tagged(["p*"]), ...keepNewest(100) }),
        rule(2, { ...tagged(["pr-*"]), ...olderThan(7) }),
      ],
    };
    const partly = {
      rules: [
        rule(1, { ...tagged(["v*", "p*"]), ...keepNewest(100) }),
        rule(2, { ...tagged(["pr-*"]), ...olderThan(7) }),
      ],
    };
    assert.deepEqual(
      [summary(judgeLifecycle(eclipsed, options)), summary(judgeLifecycle(partly, options))],
      [[], [{ rule: 2, by: "age", protectedPatterns: ["release-*"], everyImage: false }]],
    );
  });

  it("reports an unreadable policy as one finding with every problem", () => {
    assert.deepEqual(judgeLifecycle({ rules: [] }, options), [
      { kind: "unreadable", problems: ["rules is []; a list of at least one rule"] },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Generated policies: the judgement against the evaluator, both ways.

const protectedTagPatterns = ["v*", "release-*"];
const patternPool = [
  "v*",
  "v1*",
  "*",
  "release-*",
  "rel*",
  "pr-*",
  "*-rc*",
  "main-*",
  "v*-rc",
  "p*",
  "*1",
  "latest",
];
const prefixPool = ["v", "pr-", "release-", "main", "r", "l"];
const releaseTags = ["v1", "v1.2.0", "v2-rc", "release-3", "release-1"];
const otherTags = ["pr-7", "main-abc", "x-rc1", "latest", "p", "rel", "a1", "1"];
const tagArb = fc.oneof(
  { arbitrary: fc.constantFrom(...releaseTags), weight: 2 },
  { arbitrary: fc.constantFrom(...otherTags), weight: 3 },
);

const selectionArb = fc.oneof(
  fc.record({ tagStatus: fc.constant("any") }),
  fc.record({ tagStatus: fc.constant("untagged") }),
  fc.record({
    tagStatus: fc.constant("tagged"),
    tagPatternList: fc.uniqueArray(fc.constantFrom(...patternPool), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    tagStatus: fc.constant("tagged"),
    tagPrefixList: fc.uniqueArray(fc.constantFrom(...prefixPool), { minLength: 1, maxLength: 2 }),
  }),
);
const countingArb = fc.oneof(
  fc.record({
    countType: fc.constant("imageCountMoreThan"),
    countNumber: fc.integer({ min: 1, max: 5 }),
    type: fc.constantFrom("expire", "expire", "transition"),
  }),
  fc.record({
    countType: fc.constant("sinceImagePushed"),
    countNumber: fc.integer({ min: 1, max: 30 }),
    type: fc.constantFrom("expire", "expire", "transition"),
  }),
  fc.record({
    countType: fc.constant("sinceImagePulled"),
    countNumber: fc.integer({ min: 1, max: 30 }),
    type: fc.constant("transition"),
  }),
  fc.record({
    countType: fc.constant("sinceImageTransitioned"),
    countNumber: fc.integer({ min: 90, max: 150 }),
    type: fc.constant("expire"),
  }),
);

/** A policy ECR accepts: `any` rules last in their storage class, one untagged rule, unique lists. */
const policyArb = fc
  .tuple(
    fc.array(fc.tuple(selectionArb, countingArb), { minLength: 1, maxLength: 5 }),
    fc.integer({ min: 1, max: 3 }),
  )
  .map(([drafts, step]) => {
    const made = drafts.map(([selection, { type, ...counting }]) => {
      const archive = counting.countType === "sinceImageTransitioned";
      return {
        selection: {
          ...selection,
          ...counting,
          ...(counting.countType !== "imageCountMoreThan" && { countUnit: "days" }),
          ...(archive && { storageClass: "archive" }),
        } as Record<string, any>,
        action: type === "expire" ? { type } : { type, targetStorageClass: "archive" },
      };
    });
    const seen = new Set<string>();
    const kept = made.filter(({ selection }) => {
      const cls = selection.storageClass ?? "standard";
      const list = selection.tagPatternList ?? selection.tagPrefixList;
      const key = `${cls}:${selection.tagStatus === "tagged" ? JSON.stringify([!!selection.tagPatternList, [...list].sort()]) : selection.tagStatus}`;
      return seen.has(key) ? false : (seen.add(key), true);
    });
    const ordered = [
      ...kept.filter((r) => r.selection.tagStatus !== "any"),
      ...kept.filter((r) => r.selection.tagStatus === "any"),
    ];
    return { rules: ordered.map((r, i) => ({ rulePriority: (i + 1) * step, ...r })) };
  });

const imagesArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 60 }), { minLength: 4, maxLength: 12 })
  .chain((pushes) =>
    fc.tuple(
      ...pushes.map((pushed, i) =>
        fc.record({
          id: fc.constant(`i${i}`),
          tags: fc.uniqueArray(tagArb, { maxLength: 3 }),
          pushed: fc.constant(pushed),
          storage: fc.constantFrom("standard", "standard", "archive"),
          archived: fc.integer({ min: 0, max: 200 }),
          pulled: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
        }),
      ),
    ),
  ) as fc.Arbitrary<Image[]>;

const runs = Number(process.env.LIFECYCLE_RUNS ?? 2000);
const ruleFindings = (findings: LifecycleFinding[]) =>
  findings.flatMap((f) => (f.kind === "rule" ? [f] : []));

describe("judgeLifecycle against the evaluator, on generated policies", () => {
  it("generates only policies ECR accepts", () => {
    fc.assert(
      fc.property(policyArb, (policy) =>
        assert.ok(parseLifecyclePolicy(policy).ok, JSON.stringify(policy)),
      ),
      { numRuns: runs },
    );
  });

  it("reports every rule the evaluator shows expiring a release by age, or before keepImages newer images exist, and every rule on every image doing so to any image", () => {
    fc.assert(
      fc.property(
        policyArb,
        imagesArb,
        fc.integer({ min: 1, max: 5 }),
        (policy, images, keepImages) => {
          const findings = ruleFindings(
            judgeLifecycle(policy, { keepImages, protectedTagPatterns }),
          );
          for (const [id, priority] of evaluate(policy, images).expired) {
            const image = images.find((i) => i.id === id)!;
            const r = policy.rules.find((x: any) => x.rulePriority === priority)!;
            const newer = images.filter((i) => i.pushed < image.pushed).length;
            const tooSoon = r.selection.countType !== "imageCountMoreThan" || newer < keepImages;
            const releases = protectedTagPatterns.filter((p) =>
              image.tags.some((t) => globMatches(p, t)),
            );
            const finding = findings.find((f) => f.rule.rulePriority === priority);
            if (tooSoon && releases.length > 0) {
              assert.ok(finding, `rule ${priority} expires ${id} (${image.tags}) unreported`);
              assert.ok(
                releases.every((p) => finding.protectedPatterns.includes(p)),
                `${releases} of ${id}`,
              );
            }
            if (tooSoon && r.selection.tagStatus === "any" && image.storage !== "archive") {
              assert.ok(finding?.everyImage, `rule ${priority} (any) expires ${id} unreported`);
            }
          }
        },
      ),
      { numRuns: runs },
    );
  });
});

describe("judgeLifecycle's findings, each shown by the evaluator", () => {
  it("shows every finding with an image set: the canonical tags of the pattern and of the rule's patterns", () => {
    const canonical = (entry: string, prefix: boolean) =>
      prefix ? `${entry}#` : entry.split("*").join("#");
    const tagsOf = (r: any): string[] =>
      r.selection.tagPatternList?.map((p: string) => canonical(p, false)) ??
      r.selection.tagPrefixList?.map((p: string) => canonical(p, true)) ??
      [];
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 1, max: 5 }), (policy, keepImages) => {
        for (const finding of ruleFindings(
          judgeLifecycle(policy, { keepImages, protectedTagPatterns }),
        )) {
          const r = policy.rules.find((x: any) => x.rulePriority === finding.rule.rulePriority)!;
          const storage = r.selection.storageClass ?? "standard";
          const newer = (tags: string[]): Image[] =>
            finding.by === "count"
              ? Array.from({ length: r.selection.countNumber }, (_, i) => ({
                  id: `n${i}`,
                  tags,
                  pushed: i,
                  storage,
                }))
              : [];
          const witnesses = finding.protectedPatterns.map((p) => [
            {
              id: "x",
              tags: [canonical(p, false), ...tagsOf(r)],
              pushed: 1000,
              storage,
              archived: 1000,
            },
            ...newer(tagsOf(r)),
          ]);
          if (finding.everyImage) {
            const untaggedEarlier = policy.rules.some(
              (e: any) =>
                e.rulePriority < r.rulePriority &&
                e.selection.tagStatus === "untagged" &&
                !e.selection.storageClass,
            );
            witnesses.push([
              {
                id: "x",
                tags: untaggedEarlier ? ["#"] : [],
                pushed: 1000,
                storage,
                archived: 1000,
              },
              ...newer([]),
            ]);
          }
          for (const images of witnesses) {
            const by = evaluate(policy, images).expired.get("x");
            assert.equal(
              by,
              r.rulePriority,
              `${JSON.stringify(images[0])} under ${JSON.stringify(policy)}`,
            );
            assert.ok(finding.by === "age" || images.length - 1 < keepImages);
          }
        }
      }),
      { numRuns: runs },
    );
  });
});
