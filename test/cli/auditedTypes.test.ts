/**
 * The registry of audited parts (`cli/audit/auditedTypes.ts`): every part a reader reads has an
 * entry, or the code does not compile; the report's kinds come from it.
 */
import { strict as assert } from "assert";
import * as path from "path";
import ts from "typescript";
import { resourceKinds } from "../../cli/audit/auditedTypes";
import { awsNativeTypes, awsTypes } from "../../policy-pack/governance/typeTokens";
import { repositoryRoot } from "../helpers/cli";
import { fixtureDiagnostics, withoutDirectives } from "../helpers/typecheck";

const fixture = path.join(repositoryRoot, "test/fixtures/typecheck/missingAuditedPart.ts");

describe("the registry of audited parts", function () {
  this.timeout(120_000);

  it("does not compile with a part a reader reads and the registry has no entry for", () => {
    assert.deepEqual(fixtureDiagnostics(fixture), []);
    const found = fixtureDiagnostics(fixture, withoutDirectives);
    assert.equal(found.length, 1);
    assert.match(
      ts.flattenDiagnosticMessageText(found[0].messageText, " "),
      /signingConfiguration/,
    );
  });

  it("names every resource shape the audit builds, for its report", () => {
    assert.equal(resourceKinds[awsTypes.ecrRepository], "ECR repository");
    assert.equal(resourceKinds[awsTypes.iamRolePolicyAttachment], "IAM role policy attachment");
    assert.equal(
      resourceKinds[awsNativeTypes.ecrSigningConfiguration],
      "ECR registry signing configuration",
    );
    assert.equal(Object.keys(resourceKinds).length, 13);
  });
});
