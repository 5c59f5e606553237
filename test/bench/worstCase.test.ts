import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  validateIdentityPolicy,
  validateResourcePolicy,
  validateTrustPolicy,
} from "@cloud-copilot/iam-policy";
import { formatGrowthOrder, growthOrder, SizedTime } from "../../bench/growthOrder";
import {
  analyzerRequest,
  DocumentKind,
  documentKinds,
  fragment,
  githubProviderArn,
  iamCharacters,
  keyVariant,
  ladder,
  largestSize,
  PolicyJson,
  respell,
  WorstCaseFamily,
  worstCaseFamilies,
} from "../../bench/worstCase";
import {
  measureWorstCase,
  medianTiming,
  slowest,
  summarizeFamily,
  summarizeTable,
  WorstCasePlan,
  WorstCaseResults,
} from "../../bench/worstCaseMeasure";
import { awsTypes } from "../../policy-pack/governance/typeTokens";
import { sampleWorstCase } from "./sampleResults";

const validators: Readonly<Record<DocumentKind, (policy: unknown) => unknown[]>> = {
  trust: validateTrustPolicy,
  managed: validateIdentityPolicy,
  inline: validateIdentityPolicy,
  repository: validateResourcePolicy,
};

const family = (id: string): WorstCaseFamily => {
  const found = worstCaseFamilies.find((f) => f.id === id);
  assert.ok(found, `no family ${id}`);
  return found;
};

/** The sizes a family's full ladder measures, from 1 to the size limit. */
const sizesOf = (f: WorstCaseFamily) => ladder(largestSize(f), Math.SQRT2);

describe("the worst-case documents", () => {
  it("are one family per id, of every kind of document", () => {
    const ids = worstCaseFamilies.map((f) => f.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(
      new Set(worstCaseFamilies.map((f) => f.kind)),
      new Set(["trust", "managed", "inline", "repository"]),
    );
  });

  it("are policies IAM accepts, of their kind, at every size of the ladder", () => {
    for (const f of worstCaseFamilies) {
      for (const n of sizesOf(f)) {
        const document = f.document(n);
        assert.equal(document.Version, "2012-10-17");
        assert.deepEqual(
          validators[f.kind](JSON.parse(JSON.stringify(document))),
          [],
          `${f.id} at n = ${n}`,
        );
      }
    }
  });

  it("grow with n, and reach their kind's size limit at the top of the ladder without passing it", () => {
    for (const f of worstCaseFamilies) {
      const sizes = sizesOf(f);
      const characters = sizes.map((n) => iamCharacters(f.document(n)));
      assert.ok(
        characters.every((c, i) => i === 0 || c > characters[i - 1]),
        `${f.id}: ${characters.join(", ")}`,
      );
      const limit = documentKinds[f.kind].limitCharacters;
      assert.ok(characters.at(-1)! <= limit, `${f.id} at its largest size`);
      assert.ok(iamCharacters(f.document(sizes.at(-1)! + 1)) > limit, `${f.id} one size further`);
      // Short documents: the largest is within 10% of the limit, and larger than a few units.
      assert.ok(characters.at(-1)! > limit * 0.9, `${f.id} stops at ${characters.at(-1)}`);
      assert.ok(sizes.at(-1)! >= 10, `${f.id} grows to ${sizes.at(-1)} only`);
    }
  });

  it("are counted as IAM counts them: the JSON text without whitespace", () => {
    const document = family("trust-allow-statements").document(3);
    const pretty = JSON.stringify(document, null, 2);
    assert.equal(
      iamCharacters(document),
      pretty.replace(/\s+(?=(?:[^"]*"[^"]*")*[^"]*$)/g, "").length,
    );
  });

  it("grow conditions per claim as sub entries of one statement, each key the same without letter case", () => {
    const condition = family("trust-conditions-per-claim").document(12).Statement[0].Condition as {
      StringLike: Record<string, string>;
    };
    const keys = Object.keys(condition.StringLike);
    assert.equal(keys.length, 12);
    assert.deepEqual(
      new Set(keys.map((k) => k.toLowerCase())),
      new Set(["token.actions.githubusercontent.com:sub"]),
    );
    assert.ok(
      Object.values(condition.StringLike).every((v) => /^repo:acme\/\*[aelrs]+\*$/.test(v)),
    );
  });

  it("grow Deny statements with wildcard subjects behind one Allow of the repository", () => {
    const statements = family("trust-deny-wildcard-subjects").document(5).Statement;
    assert.deepEqual(
      statements.map((s) => s.Effect),
      ["Allow", "Deny", "Deny", "Deny", "Deny", "Deny"],
    );
    for (const deny of statements.slice(1)) {
      assert.deepEqual(deny.Principal, { Federated: githubProviderArn });
      const sub = (deny.Condition as any).StringLike["token.actions.githubusercontent.com:sub"];
      assert.match(sub, /^repo:acme\/payments-api:\*[aelrs]+\*$/);
    }
  });

  it("grow wildcards per pattern as the one sub pattern's `*`", () => {
    const statement = family("trust-wildcards-per-pattern").document(100).Statement[0];
    const sub: string = (statement.Condition as any).StringLike[
      "token.actions.githubusercontent.com:sub"
    ];
    assert.equal([...sub].filter((c) => c === "*").length, 100);
    assert.ok(sub.startsWith("repo:acme/*p*a*y*m*e*n*t*s*-*a*p*i*p"));
  });

  it("grow Allow statements, values and set operators by one unit each", () => {
    assert.equal(family("trust-allow-statements").document(7).Statement.length, 7);
    const values = family("trust-values-per-condition").document(9).Statement[0].Condition as any;
    assert.equal(values.StringLike["token.actions.githubusercontent.com:sub"].length, 9);
    const sets = family("trust-set-operators").document(5).Statement[0].Condition as any;
    assert.equal(Object.keys(sets["ForAnyValue:StringLike"]).length, 3);
    assert.equal(Object.keys(sets["ForAllValues:StringNotLike"]).length, 2);
  });

  it("grow identity policies by NotAction/NotResource statements, wildcard resources and Denies on them", () => {
    const notStatements = family("managed-notaction-notresource").document(4).Statement.slice(1);
    assert.deepEqual(
      notStatements.map((s) => [s.Effect, "NotAction" in s, "NotResource" in s]),
      [
        ["Allow", true, true],
        ["Deny", true, true],
        ["Allow", true, true],
        ["Deny", true, true],
      ],
    );
    const push = family("managed-wildcard-resources").document(6).Statement[1];
    assert.equal((push.Resource as string[]).length, 6);
    assert.ok((push.Resource as string[]).every((r) => r.includes("*")));
    for (const id of ["managed-deny-wildcard-resources", "inline-deny-wildcard-resources"]) {
      const statements = family(id).document(4).Statement;
      assert.deepEqual(
        statements.map((s) => s.Effect),
        ["Allow", "Allow", "Deny", "Deny", "Deny", "Deny"],
      );
    }
  });

  it('grow repository policies by Principal "*" statements and their aws:PrincipalArn and aws:PrincipalOrgID wildcards', () => {
    const statements = family("repository-principal-conditions").document(3).Statement;
    assert.equal(statements.length, 3);
    assert.ok(statements.every((s) => s.Principal === "*"));
    assert.deepEqual(Object.keys(statements[0].Condition as object), ["StringLike", "ArnLike"]);
    const arns = family("repository-principal-arn-per-statement").document(8).Statement[0]
      .Condition as any;
    const keys = Object.keys(arns.ArnLike);
    assert.equal(keys.length, 8);
    assert.deepEqual(new Set(keys.map((k) => k.toLowerCase())), new Set(["aws:principalarn"]));
    const denies = family("repository-deny-principal-wildcards").document(4).Statement;
    assert.deepEqual(
      denies.map((s) => s.Effect),
      ["Allow", "Deny", "Deny", "Deny", "Deny"],
    );
  });

  it("are spelt afresh by each variant: other text, the same size, still a policy IAM accepts", () => {
    for (const f of worstCaseFamilies) {
      const n = Math.min(8, largestSize(f));
      const texts = Array.from({ length: 40 }, (_, v) => JSON.stringify(f.document(n, v)));
      assert.equal(new Set(texts).size, texts.length, f.id);
      assert.ok(
        texts.every((t) => t.length === texts[0].length),
        f.id,
      );
      assert.deepEqual(validators[f.kind](f.document(n, 39)), [], f.id);
    }
    assert.equal(
      JSON.stringify(family("trust-allow-statements").document(3)),
      JSON.stringify(family("trust-allow-statements").document(3, 0)),
    );
  });

  it("respell lower-case letters only, a permutation per variant, variant 0 keeping them", () => {
    assert.equal(respell("repo:acme/payments-api", 0), "repo:acme/payments-api");
    const spellings = Array.from({ length: 1000 }, (_, v) => respell("aes", v));
    assert.equal(new Set(spellings).size, 1000);
    assert.ok(spellings.every((s) => new Set(s).size === 3 && /^[a-z]{3}$/.test(s)));
    assert.equal(respell("AWS:*-1", 7), "AWS:*-1");
  });

  it("spell a condition key in as many letter cases as asked, the key itself first", () => {
    const key = "token.actions.githubusercontent.com:sub";
    const spellings = Array.from({ length: 64 }, (_, i) => keyVariant(key, i));
    assert.equal(spellings[0], key);
    assert.equal(spellings[31], "Token.Actions.Githubusercontent.Com:Sub");
    assert.equal(new Set(spellings).size, 64);
    assert.ok(spellings.every((s) => s.toLowerCase() === key));
    assert.throws(() => keyVariant("ab", 4), {
      message: "ab has only 4 spellings; asked for spelling 4",
    });
  });

  it("draw fragments as distinct short words over the letters of release, shortest first", () => {
    const words = Array.from({ length: 200 }, (_, i) => fragment(i));
    assert.deepEqual(words.slice(0, 3), ["aa", "ae", "al"]);
    assert.equal(words[25], "aaa");
    assert.equal(new Set(words).size, 200);
  });
});

describe("the worst-case ladder", () => {
  it("steps by the factor from 1, rounded and without repeats, and ends at the size limit", () => {
    assert.deepEqual(ladder(43, Math.SQRT2), [1, 2, 3, 4, 6, 8, 11, 16, 23, 32, 43]);
    assert.deepEqual(ladder(64, 4), [1, 4, 16, 64]);
    assert.deepEqual(ladder(70, 4), [1, 4, 16, 64, 70]);
    assert.deepEqual(ladder(1, 2), [1]);
  });

  it("refuses a factor that would not grow", () => {
    assert.throws(() => ladder(10, 1), { message: "a ladder's factor must be above 1, not 1" });
  });

  it("finds the largest n within the limit, and refuses a family too large at n = 1", () => {
    const f = family("trust-allow-statements");
    const n = largestSize(f);
    assert.ok(iamCharacters(f.document(n)) <= 4096 && iamCharacters(f.document(n + 1)) > 4096);
    const huge: WorstCaseFamily = {
      ...f,
      id: "huge",
      document: () => ({ Version: "2012-10-17", Statement: [{ Sid: "x".repeat(5000) }] }),
    };
    assert.throws(() => largestSize(huge), {
      message: "the huge document is over 4096 characters already at n = 1",
    });
  });
});

describe("the worst-case requests", () => {
  const document: PolicyJson = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "ecr:*", Resource: "*" }],
  };

  it("judge a trust policy as a role's assumeRolePolicy, with Analyze", () => {
    const request = analyzerRequest("trust", document);
    assert.equal(request.call, "Analyze");
    assert.ok(request.call === "Analyze");
    assert.equal(request.resource.type, awsTypes.iamRole);
    assert.equal(request.resource.properties.assumeRolePolicy, JSON.stringify(document));
  });

  it("judge a repository policy as an ECR RepositoryPolicy's policy, with Analyze", () => {
    const request = analyzerRequest("repository", document);
    assert.ok(request.call === "Analyze");
    assert.equal(request.resource.type, awsTypes.ecrRepositoryPolicy);
    assert.equal(request.resource.properties.policy, JSON.stringify(document));
  });

  it("judge a managed policy attached to a GitHub-trusted role, with AnalyzeStack", () => {
    const request = analyzerRequest("managed", document);
    assert.ok(request.call === "AnalyzeStack");
    const [role, policy, attachment] = request.resources;
    assert.deepEqual(
      [role.type, policy.type, attachment.type],
      [awsTypes.iamRole, awsTypes.iamPolicy, awsTypes.iamRolePolicyAttachment],
    );
    assert.match(
      String(role.properties.assumeRolePolicy),
      /"Federated":"arn:aws:iam::123456789012:oidc-provider\/token\.actions\.githubusercontent\.com"/,
    );
    assert.equal(policy.properties.policy, JSON.stringify(document));
    assert.deepEqual(attachment.properties, {
      role: role.properties.name,
      policyArn: policy.properties.arn,
    });
    assert.deepEqual(attachment.propertyDependencies, {
      role: [role.urn],
      policyArn: [policy.urn],
    });
  });

  it("judge an inline policy as the GitHub-trusted role's own, with AnalyzeStack", () => {
    const request = analyzerRequest("inline", document);
    assert.ok(request.call === "AnalyzeStack");
    assert.deepEqual(request.resources[0].properties.inlinePolicies, [
      { name: "push", policy: JSON.stringify(document) },
    ]);
  });
});

/** Sizes 1, 2, 3, 4, 6, 8, ... (the full ladder) with times from `time`, a little noise added. */
function series(time: (n: number) => number, largest: number, deadline = Infinity): SizedTime[] {
  const sizes: SizedTime[] = [];
  for (const [i, n] of ladder(largest, Math.SQRT2).entries()) {
    const t = time(n) * (1 + 0.05 * Math.sin(i * 12.9898));
    if (t > deadline) {
      sizes.push({ n, overMilliseconds: deadline });
      break;
    }
    sizes.push({ n, milliseconds: t });
  }
  return sizes;
}

describe("the growth order", () => {
  it("is constant when no time reaches twice the smallest", () => {
    assert.deepEqual(growthOrder(series(() => 3, 2048)), { order: "constant", atLeast: false });
  });

  it("is linear for a fixed cost plus a cost per unit", () => {
    const growth = growthOrder(series((n) => 2 + 0.05 * n, 2048));
    assert.equal(growth?.order, "linear");
    assert.ok(Math.abs(growth!.slope! - 1) < 0.15, String(growth?.slope));
  });

  it("is quadratic for a cost per pair of units", () => {
    const growth = growthOrder(series((n) => 2 + 0.0005 * n * n, 2048));
    assert.equal(growth?.order, "quadratic");
    assert.ok(Math.abs(growth!.slope! - 2) < 0.15, String(growth?.slope));
  });

  it("is a polynomial of its degree beyond quadratic", () => {
    assert.equal(
      formatGrowthOrder(growthOrder(series((n) => 2 + 1e-6 * n ** 3, 2048))),
      "polynomial (n^3.0)",
    );
  });

  it("is exponential when each unit multiplies the time, with the factor per unit", () => {
    const growth = growthOrder(series((n) => 2 + 0.001 * 2.5 ** n, 20));
    assert.equal(growth?.order, "exponential");
    assert.ok(Math.abs(growth!.perUnit! - 2.5) < 0.1, String(growth?.perUnit));
  });

  it("is a lower bound when the series ends past a deadline", () => {
    const growth = growthOrder(series((n) => 2 + 0.001 * 2 ** n, 43, 20000));
    assert.equal(growth?.order, "exponential");
    assert.equal(growth?.atLeast, true);
    assert.match(formatGrowthOrder(growth), /^at least exponential \(×\d\.\d\d per unit\)$/);
  });

  it("is irregular when the time falls by more than a third as n grows, saying where", () => {
    const capped = [1, 2, 4, 8, 16, 32].map((n, i) => ({
      n,
      milliseconds: [5, 6, 40, 300, 90, 120][i],
    }));
    const growth = growthOrder(capped);
    assert.deepEqual(growth, {
      order: "irregular",
      fall: { from: { n: 8, milliseconds: 300 }, to: { n: 16, milliseconds: 90 } },
      atLeast: false,
    });
    assert.equal(
      formatGrowthOrder(growth),
      "irregular (falls from 300 ms at n = 8 to 90 ms at n = 16)",
    );
  });

  it("is a plateau when the time rose clear of the noise and then stopped growing", () => {
    const levelled = [1, 2, 4, 8, 16, 32].map((n, i) => ({
      n,
      milliseconds: [5, 6, 40, 300, 310, 305][i],
    }));
    assert.equal(
      formatGrowthOrder(growthOrder(levelled)),
      "plateau (after rising from 5 ms at n = 1 to 310 ms at n = 16)",
    );
  });

  it("is undetermined when only the largest size stands above the noise", () => {
    const jump = [1, 2, 4, 8, 16].map((n, i) => ({ n, milliseconds: [5, 4, 6, 5, 45][i] }));
    assert.equal(
      formatGrowthOrder(growthOrder(jump)),
      "undetermined (a jump: only n = 16 stands above the noise, at 45 ms)",
    );
  });

  it("judges a jump past ten times the size before it by the two, as a lower bound past a deadline", () => {
    const runaway = [
      { n: 1, milliseconds: 4 },
      { n: 2, milliseconds: 5 },
      { n: 4, milliseconds: 7 },
      { n: 6, milliseconds: 20 },
      { n: 8, overMilliseconds: 20000 },
    ];
    assert.deepEqual(growthOrder(runaway), {
      order: "exponential",
      slope: 24.01,
      perUnit: 31.62,
      atLeast: true,
    });
  });

  it("takes times within 20 ms of the smallest as noise, not growth", () => {
    const noisy = [1, 2, 4, 8, 16, 32, 64].map((n, i) => ({
      n,
      milliseconds: [4, 16, 9, 7, 13, 15, 18][i],
    }));
    assert.deepEqual(growthOrder(noisy), { order: "constant", atLeast: false });
  });

  it("is undetermined below two sizes", () => {
    assert.equal(growthOrder([{ n: 1, milliseconds: 3 }]), undefined);
    assert.equal(formatGrowthOrder(undefined), "undetermined (fewer than two sizes measured)");
  });

  it("reads the shape of the times, not the sizes' order in the list", () => {
    const sizes = series((n) => 2 + 0.0005 * n * n, 2048);
    assert.deepEqual(growthOrder([...sizes].reverse()), growthOrder(sizes));
  });
});

describe("the worst-case figures", () => {
  it("take the slowest size, one past the longest deadline before one past a shorter", () => {
    assert.deepEqual(
      slowest([{ overMilliseconds: 3000 }, { overMilliseconds: 20000 }, { milliseconds: 9000 }]),
      {
        overMilliseconds: 20000,
      },
    );
  });

  it("take the slowest size, one past its deadline before any measured", () => {
    assert.deepEqual(
      slowest([{ milliseconds: 5 }, { overMilliseconds: 1000 }, { milliseconds: 900 }]),
      {
        overMilliseconds: 1000,
      },
    );
    assert.deepEqual(slowest([{ milliseconds: 5 }, { milliseconds: 900 }]), { milliseconds: 900 });
  });

  it("take the median with sizes past their deadline counted slower, and none where the middle was not measured", () => {
    assert.deepEqual(
      medianTiming([{ milliseconds: 3 }, { milliseconds: 1 }, { milliseconds: 2 }]),
      { milliseconds: 2 },
    );
    assert.deepEqual(medianTiming([{ milliseconds: 1 }, { milliseconds: 3 }]), { milliseconds: 2 });
    assert.deepEqual(
      medianTiming([{ milliseconds: 1 }, { overMilliseconds: 20000 }, { overMilliseconds: 5000 }]),
      {
        overMilliseconds: 5000,
      },
    );
    assert.deepEqual(medianTiming([{ milliseconds: 1 }, { milliseconds: 2 }, undefined]), {
      milliseconds: 2,
    });
    assert.equal(medianTiming([{ milliseconds: 1 }, undefined, undefined]), undefined);
    assert.equal(medianTiming([]), undefined);
  });

  it("sum a family up as the sample table shows it: its slowest size, median and growth order", () => {
    for (const sample of sampleWorstCase.families) {
      assert.deepEqual(
        summarizeFamily(family(sample.id), sample.largestSize, sample.sizes, sample.skipped),
        sample,
      );
    }
  });

  it("sum the table up: its slowest size and family, its median, what was left unmeasured", () => {
    const { plan, pack, startMilliseconds, restarts, families } = sampleWorstCase;
    assert.deepEqual(
      summarizeTable(plan, pack, startMilliseconds, restarts, families),
      sampleWorstCase,
    );
  });
});

/**
 * A JavaScript pack whose one policy judges roles, and never finishes on a trust policy of four
 * statements or more: a model that runs away, to show the deadline and the restart.
 */
function writeRunawayPack(): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "td-bench-runaway-"));
  const write = (file: string, text: string) => fs.writeFileSync(path.join(directory, file), text);
  write("package.json", JSON.stringify({ name: "runaway", version: "0.0.0", main: "index.js" }));
  write("PulumiPolicy.yaml", "runtime: nodejs\ndescription: Runs away on long trust policies.\n");
  write(
    "index.js",
    [
      'const { PolicyPack } = require("@pulumi/policy");',
      'new PolicyPack("runaway", {',
      "  policies: [{",
      '    name: "runaway", description: "Runs away.", enforcementLevel: "advisory",',
      "    validateResource: (args) => {",
      '      if (args.type !== "aws:iam/role:Role") return;',
      "      const statements = JSON.parse(args.props.assumeRolePolicy).Statement.length;",
      "      while (statements >= 4) {}",
      "    },",
      "  }],",
      "});",
      "",
    ].join("\n"),
  );
  fs.symlinkSync(path.join(__dirname, "../../node_modules"), path.join(directory, "node_modules"));
  return directory;
}

describe("the worst-case measurement, on a pack that runs away", function () {
  this.timeout(120000);
  const plan: WorstCasePlan = {
    ladderFactor: 2,
    deadlineMilliseconds: 3000,
    budgetSeconds: 60,
    repetitions: { calls: 2, belowMilliseconds: 60000 },
  };
  let results: WorstCaseResults;
  const messages: string[] = [];

  before(async () => {
    const packDir = writeRunawayPack();
    try {
      results = await measureWorstCase(
        plan,
        (m) => messages.push(m),
        [family("trust-allow-statements")],
        packDir,
      );
    } finally {
      fs.rmSync(packDir, { recursive: true, force: true });
    }
  });

  it("times each size below the runaway, the median of its calls", () => {
    const [f] = results.families;
    assert.deepEqual(
      f.sizes.slice(0, 2).map((s) => [s.n, s.calls, typeof s.milliseconds, s.diagnostics]),
      [
        [1, 2, "number", 0],
        [2, 2, "number", 0],
      ],
    );
  });

  it("records the call past its deadline as over it, restarts the pack, and skips the larger sizes", () => {
    const [f] = results.families;
    assert.deepEqual(f.sizes[2], {
      n: 4,
      characters: iamCharacters(family("trust-allow-statements").document(4)),
      calls: 1,
      overMilliseconds: 3000,
    });
    assert.deepEqual(f.skipped, {
      sizes: [8, largestSize(family("trust-allow-statements"))].map((n) => ({
        n,
        characters: iamCharacters(family("trust-allow-statements").document(n)),
      })),
      reason: "n = 4 ran past its deadline",
    });
    assert.equal(results.restarts, 1);
    assert.equal(results.complete, false);
    assert.ok(
      messages.includes(
        `worst case: trust-allow-statements at n = 4 (${f.sizes[2].characters} characters) ran past its 3 s deadline; the pack was restarted`,
      ),
    );
  });

  it("names the pack it measured, by its absolute path outside the repository", () => {
    assert.ok(path.isAbsolute(results.pack) && results.pack.includes("td-bench-runaway-"));
  });
});
