import { problem } from "../../components/problems";
import { readPlatformStack } from "../workspace/platformStack";
import { findProject, stackFileName } from "../workspace/project";
import { UsageError } from "../core/errors";
import { Command, cwdOption } from "./command";
import { registryCatalog, catalogYaml, isCalendarDate } from "../selfService/catalog";

export const catalogCommand: Command = {
  summary: `catalog --stack <stack>        Print the stack's registries with their metadata in the registry
                                 catalog format (ecr-catalog.yaml), for Backstage and audits.`,
  options: {
    cwd: cwdOption,
    stack: { type: "string", help: "The stack whose registries to list." },
    format: { type: "string", help: "yaml (the default) or json." },
    owner: { type: "string", help: "The catalog's owner and maintainer. Default: platform-team." },
    domain: { type: "string", help: "The catalog's domain. Default: delivery." },
    "physical-registry": {
      type: "string",
      help: "The registry's name in the catalog. Default: <project>-<stack>.",
    },
    date: { type: "string", help: "last_updated, as YYYY-MM-DD. Default: today (UTC)." },
  },
  async run(positionals, options) {
    if (positionals.length > 0) {
      throw new UsageError(`catalog takes no positional arguments; got ${positionals.join(" ")}`);
    }
    if (options.stack === undefined) {
      throw new UsageError("catalog needs --stack");
    }
    const problems: string[] = [];
    const format = String(options.format ?? "yaml");
    if (format !== "yaml" && format !== "json") {
      problems.push(problem("--format", format, "must be yaml or json").message);
    }
    const date = String(options.date ?? new Date().toISOString().slice(0, 10));
    if (!isCalendarDate(date)) {
      problems.push(
        problem("--date", date, 'must be a calendar date as YYYY-MM-DD, e.g. "2026-11-24"').message,
      );
    }
    for (const option of ["owner", "domain", "physical-registry"]) {
      if (options[option] !== undefined && String(options[option]).trim() === "") {
        problems.push(problem(`--${option}`, options[option], "must not be empty").message);
      }
    }
    if (problems.length > 0) {
      throw new UsageError(problems.join("\nerror: "));
    }
    const project = findProject(String(options.cwd ?? process.cwd()));
    const stack = String(options.stack);
    const { config } = readPlatformStack(project, stack);
    const catalog = registryCatalog(config, {
      domain: String(options.domain ?? "delivery"),
      owner: String(options.owner ?? "platform-team"),
      physicalRegistry: String(
        options["physical-registry"] ?? `${project.name}-${stackFileName(stack)}`,
      ),
      lastUpdated: date,
    });
    process.stdout.write(
      format === "json" ? `${JSON.stringify(catalog, null, 2)}\n` : catalogYaml(catalog),
    );
    return 0;
  },
};
