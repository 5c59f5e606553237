import Ajv2020 from "ajv/dist/2020";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";

const schemaFile = path.join(__dirname, "../fixtures/schemas/pulumi-project.schema.json");

/** Validates a project file against the Pulumi CLI's own schema for Pulumi.yaml. */
export function projectSchemaErrors(file: string): string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, "utf8")));
  return validate(YAML.parse(fs.readFileSync(file, "utf8")))
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
