import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { repositoryRoot } from "../helpers/cli";

/**
 * The layers of CONTRIBUTING.md, lowest first, and what each may import from this repository.
 * A layer is a directory (or file) relative to the root; the longest match names a file's layer.
 */
/**
 * The command line's products (CONTRIBUTING.md): each its own folder; none imports another, and
 * commands import them (CONTRIBUTING.md's table).
 */
export const cliProducts = [
  "cli/preview",
  "cli/adoption",
  "cli/audit",
  "cli/explain",
  "cli/selfService",
  "cli/trustDiff",
] as const;
/** What a product may import: the command line's shared layers, and everything under them. */
const belowProducts = [
  "cli/core",
  "cli/registry",
  "cli/workspace",
  "cli/aws",
  "cli/policyPack",
  "programs",
  "components",
  "policy-pack/governance",
  "policy-pack/iam",
  "policy-pack/resources",
  "policy-pack/lib",
  "policy-pack/policies",
  "policy-pack",
];

const layers: Readonly<Record<string, readonly string[]>> = {
  "policy-pack/governance": [],
  "policy-pack/iam": ["policy-pack/governance"],
  "policy-pack/resources": ["policy-pack/iam", "policy-pack/governance"],
  "policy-pack/lib": ["policy-pack/resources", "policy-pack/iam", "policy-pack/governance"],
  "policy-pack/policies": [
    "policy-pack/lib",
    "policy-pack/resources",
    "policy-pack/iam",
    "policy-pack/governance",
  ],
  "policy-pack": [
    "policy-pack/policies",
    "policy-pack/lib",
    "policy-pack/resources",
    "policy-pack/iam",
    "policy-pack/governance",
  ],
  components: ["policy-pack/governance"],
  "index.ts": ["components"],
  programs: ["components", "policy-pack/governance"],
  // The command line: shared layers first, then one folder per product, then the commands.
  "cli/core": ["components"],
  "cli/workspace": ["cli/core", "components", "programs", "policy-pack/governance"],
  "cli/aws": ["cli/core", "policy-pack/governance"],
  "cli/policyPack": ["cli/core", "components"],
  "cli/registry": ["cli/core", "cli/aws", "components"],
  ...Object.fromEntries(cliProducts.map((product) => [product, belowProducts])),
  "cli/commands": [...cliProducts, ...belowProducts],
  "cli/main.ts": ["cli/commands", "cli/core"],
};

function layerOf(file: string): string | undefined {
  const relative = path.relative(repositoryRoot, file).split(path.sep).join("/");
  return Object.keys(layers)
    .filter((layer) => relative === layer || relative.startsWith(`${layer}/`))
    .sort((a, b) => b.length - a.length)[0];
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === "node_modules" ? [] : sourceFiles(full);
    }
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

describe("the layers (CONTRIBUTING.md)", () => {
  it("each file imports only its own layer and the layers below it", () => {
    const files = [
      ...["policy-pack", "components", "programs", "cli"].flatMap((dir) =>
        sourceFiles(path.join(repositoryRoot, dir)),
      ),
      path.join(repositoryRoot, "index.ts"),
    ];
    assert.ok(files.length > 50);
    const crossings: string[] = [];
    for (const file of files) {
      const own = layerOf(file)!;
      const text = fs.readFileSync(file, "utf8");
      for (const [, specifier] of text.matchAll(/(?:from|import|require\()\s*"(\.[^"]*)"/g)) {
        const target = layerOf(path.resolve(path.dirname(file), specifier));
        if (target !== own && !layers[own].includes(target ?? "")) {
          crossings.push(
            `${path.relative(repositoryRoot, file)} (${own}) imports ${specifier} (${target ?? "outside every layer"})`,
          );
        }
      }
    }
    assert.deepEqual(crossings, []);
  });

  it("every file of cli/ is in one of its layers: no product's code lies loose in cli/", () => {
    const loose = sourceFiles(path.join(repositoryRoot, "cli"))
      .map((file) => path.relative(repositoryRoot, file).split(path.sep).join("/"))
      .filter((file) => layerOf(path.join(repositoryRoot, file)) === undefined);
    assert.deepEqual(loose, []);
  });

  it("the component and the platform program never import @pulumi/policy (the package ships without it)", () => {
    const offenders = ["components", "programs"]
      .flatMap((dir) => sourceFiles(path.join(repositoryRoot, dir)))
      .filter((file) =>
        /from "@pulumi\/policy"|require\("@pulumi\/policy"\)/.test(fs.readFileSync(file, "utf8")),
      )
      .map((file) => path.relative(repositoryRoot, file));
    assert.deepEqual(offenders, []);
  });
});
