import * as fs from "fs";
import * as path from "path";

/** The Terraform system being replaced (see test/fixtures/README.md for where it comes from). */
export const terraformFixtureDir = path.resolve(__dirname, "../fixtures/terraform/goldenpath-dev");

export function readFixture(name: string): string {
  return fs.readFileSync(path.join(terraformFixtureDir, name), "utf8");
}

export function readJsonFixture<T = any>(name: string): T {
  return JSON.parse(readFixture(name));
}

/** `{ app: attributes }` for every instance of a resource type in the fixture state. */
export function stateInstances(type: string): Record<string, Record<string, any>> {
  const state = readJsonFixture("terraform.tfstate");
  const instances: Record<string, Record<string, any>> = {};
  for (const resource of state.resources) {
    if (resource.type === type) {
      const app = /\["(.+)"\]/.exec(resource.module)![1];
      instances[app] = resource.instances[0].attributes;
    }
  }
  return instances;
}
