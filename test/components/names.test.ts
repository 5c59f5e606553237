import { strict as assert } from "assert";
import {
  defaultRegionVariableName,
  defaultRepositoryUrlVariableName,
  defaultRoleSecretName,
  environmentNameSuffix,
  pushRoleName,
} from "../../components/names";

describe("names", () => {
  it("name the push role ecr-push-<environment>-<repository>", () => {
    assert.equal(pushRoleName("payments-api", "dev"), "ecr-push-dev-payments-api");
  });

  it("turn the / of namespaced repositories into - in the role name, which IAM requires", () => {
    assert.equal(pushRoleName("team/payments-api", "prod"), "ecr-push-prod-team-payments-api");
  });

  it("keep role names within IAM's 64 characters, ending long ones in a hash of the full name", () => {
    const long = "a-very-long-repository-name-that-goes-on-and-on-and-on-forever";
    const name = pushRoleName(long, "staging");
    assert.ok(name.length <= 64, `${name} has ${name.length} characters`);
    assert.match(name, /^ecr-push-staging-a-very-long-repository-name-that-goes-[0-9a-f]{8}$/);
  });

  it("give the same role name on every run, and different names to names that share a prefix", () => {
    const a = pushRoleName(`${"x".repeat(70)}-one`, "dev");
    const b = pushRoleName(`${"x".repeat(70)}-two`, "dev");
    assert.equal(a, pushRoleName(`${"x".repeat(70)}-one`, "dev"));
    assert.notEqual(a, b);
  });

  it("put the upper-cased environment in every GitHub name, so stacks never share one", () => {
    assert.equal(defaultRoleSecretName("dev"), "TF_AWS_IAM_ROLE_DEV");
    assert.equal(defaultRepositoryUrlVariableName("staging"), "ECR_REPOSITORY_URL_STAGING");
    assert.equal(defaultRegionVariableName("prod"), "AWS_REGION_PROD");
  });

  it("turn hyphens of environments into underscores, which GitHub names allow", () => {
    assert.equal(environmentNameSuffix("prod-eu"), "PROD_EU");
    assert.equal(defaultRoleSecretName("prod-eu"), "TF_AWS_IAM_ROLE_PROD_EU");
  });
});
