import { packageVersion } from "../policyPack/packInfo";
import { UsageError } from "../core/errors";
import { Command } from "./command";

export const versionCommand: Command = {
  summary: "version  Print the versions of trusted-delivery, its policy pack and Node.js.",
  synopsis: "version",
  description:
    "Print the versions of trusted-delivery, of the policy pack it runs (the same release) and of Node.js. `trusted-delivery --version` and `-V` print the same. With --format json, as one object.",
  options: {},
  formats: ["text", "json"],
  async run(positionals, _options, output) {
    if (positionals.length > 0) {
      throw new UsageError(`version takes no arguments; got ${positionals.join(" ")}`);
    }
    const { policyPackName } = await import("../../policy-pack/policies");
    const versions = {
      "trusted-delivery": packageVersion(),
      [policyPackName]: packageVersion(),
      node: process.versions.node,
    };
    output.result(
      output.format === "json"
        ? `${JSON.stringify(versions, null, 2)}\n`
        : `trusted-delivery ${versions["trusted-delivery"]}\npolicy pack ${policyPackName} ${versions[policyPackName]}\nNode.js ${process.version}\n`,
    );
    return 0;
  },
};
