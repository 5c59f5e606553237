/**
 * The attribute table of ECR repositories (`cli/registry/attributes.ts`): adoption from a state
 * and from the account, the drift table and the plan derive from it, and an attribute without
 * its row does not compile.
 */
import { strict as assert } from "assert";
import * as path from "path";
import ts from "typescript";
import { attributesFromState, registryAttributes } from "../../cli/registry/attributes";
import { repositoryRoot } from "../helpers/cli";
import { fixtureDiagnostics, lineOf, withoutDirectives } from "../helpers/typecheck";

const fixture = path.join(repositoryRoot, "test/fixtures/typecheck/missingAttributeRow.ts");

describe("the repository attribute table", function () {
  this.timeout(120_000);

  it("does not compile with an attribute that has no row", () => {
    assert.deepEqual(
      fixtureDiagnostics(fixture).map((d) => lineOf(d)),
      [],
    );
    const found = fixtureDiagnostics(fixture, withoutDirectives);
    assert.equal(found.length, 1);
    assert.match(ts.flattenDiagnosticMessageText(found[0].messageText, " "), /scanFrequency/);
  });

  it("reads a state instance's attributes as Terraform's hashicorp/aws writes them, tags null as none", () => {
    const read = attributesFromState({
      name: "app",
      image_tag_mutability: "MUTABLE",
      encryption_configuration: [{ encryption_type: "KMS", kms_key: "arn:aws:kms:x" }],
      image_scanning_configuration: [{ scan_on_push: true }],
      force_delete: false,
      tags: null,
      tags_all: { Environment: "dev" },
    });
    assert.deepEqual(read, {
      values: {
        name: "app",
        imageTagMutability: "MUTABLE",
        encryptionType: "KMS",
        kmsKey: "arn:aws:kms:x",
        scanOnPush: true,
        forceDelete: false,
        tags: {},
        tagsAll: { Environment: "dev" },
      },
    });
  });

  it("names, by Terraform's attribute, every value that is not what hashicorp/aws writes", () => {
    assert.deepEqual(attributesFromState({ name: "app", force_delete: "no", tags: [] }), {
      bad: [
        "image_tag_mutability",
        "encryption_type",
        "kms_key",
        "scan_on_push",
        "force_delete",
        "tags",
        "tags_all",
      ],
    });
  });

  it("says what pulumi up does when an attribute differs: the name and encryption replace the repository", () => {
    assert.deepEqual(
      Object.entries(registryAttributes)
        .filter(([, a]) => a.onChange === "replace")
        .map(([name]) => name),
      ["name", "encryptionType", "kmsKey"],
    );
  });
});
