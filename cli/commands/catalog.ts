import { problem } from "../../components/problems";
import { readPlatformStack } from "../workspace/platformStack";
import { findProject, stackFileName } from "../workspace/project";
import { UsageError } from "../core/errors";
import { Command, cwdOption, stackArgument, stackOption } from "./command";
import { registryCatalog, catalogYaml, isCalendarDate } from "../selfService/catalog";

export const catalogCommand: Command = {
  summary: "catalog  Print the stack's registries and their metadata as a registry catalog.",
  synopsis: "catalog -s <stack> [-f yaml|json] [-o <file>]",
  description:
    "Print the stack's registries with their metadata in the registry catalog format (ecr-catalog.yaml), for Backstage and audits.",
  examples: [
    "trusted-delivery catalog -s prod",
    "trusted-delivery catalog -s prod -f json -o catalog/prod.json",
  ],
  formats: ["yaml", "json"],
  reportsOptionProblems: true,
  options: {
    cwd: cwdOption,
    stack: stackOption("The stack whose registries to list."),
    owner: {
      type: "string",
      value: "<team>",
      help: "The catalog's owner and maintainer. Default: platform-team.",
    },
    domain: { type: "string", value: "<domain>", help: "The catalog's domain. Default: delivery." },
    "physical-registry": {
      type: "string",
      value: "<name>",
      help: "The registry's name in the catalog. Default: <project>-<stack>.",
    },
    date: {
      type: "string",
      value: "<YYYY-MM-DD>",
      help: "last_updated. Default: today (UTC).",
    },
  },
  async run(positionals, options, output) {
    if (positionals.length > 0) {
      throw new UsageError(`catalog takes no positional arguments; got ${positionals.join(" ")}`);
    }
    const stack = stackArgument("catalog", options.stack, undefined, "-s prod");
    const problems: string[] = [...output.optionProblems];
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
    const { config } = readPlatformStack(project, stack);
    const catalog = registryCatalog(config, {
      domain: String(options.domain ?? "delivery"),
      owner: String(options.owner ?? "platform-team"),
      physicalRegistry: String(
        options["physical-registry"] ?? `${project.name}-${stackFileName(stack)}`,
      ),
      lastUpdated: date,
    });
    output.result(
      output.format === "json" ? `${JSON.stringify(catalog, null, 2)}\n` : catalogYaml(catalog),
    );
    return 0;
  },
};
