import * as fs from "fs";
import * as path from "path";
import { Problem, problem } from "../../components/problems";
import { InvalidInputError } from "../core/errors";
import { PulumiProject, userPath } from "../workspace/project";

/**
 * The project's program, as the Pulumi CLI runs it: its module is loaded inside the run (a
 * program may declare resources as it loads), and a function it exports is called. TypeScript
 * programs are compiled on the fly, as Pulumi's Node.js host does.
 */
export function loadProgram(project: PulumiProject): () => unknown {
  const main = project.main;
  const refuse = (problems: Problem[]): never => {
    throw new InvalidInputError(`Pulumi project file ${userPath(project.file)}`, problems);
  };
  if (project.runtime !== "nodejs") {
    refuse([
      problem("runtime", project.runtime, "must be nodejs: the offline plan runs Node.js programs"),
    ]);
  }
  const isTypeScript = [main, `${main}.ts`, path.join(main, "index.ts")].some(
    (file) => file.endsWith(".ts") && fs.existsSync(file),
  );
  if (isTypeScript && require.extensions[".ts"] === undefined) {
    const tsconfig = path.join(project.root, "tsconfig.json");
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for TypeScript programs
    require("ts-node").register({
      transpileOnly: true,
      ...(fs.existsSync(tsconfig) ? { project: tsconfig } : {}),
    });
  }
  let entry = "";
  try {
    entry = require.resolve(main);
  } catch {
    refuse([
      problem(
        "main",
        path.relative(project.root, main) || ".",
        `must be the program, relative to Pulumi.yaml: a JavaScript or TypeScript file, or a directory with an index file or package.json; ${fs.existsSync(main) ? "there is no program there" : "it does not exist"}`,
      ),
    ]);
  }
  return () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program's path is only known now
    const exported = require(entry);
    const program = exported?.default ?? exported;
    if (typeof program === "function") {
      return program();
    }
    // Its resources were declared as it loaded: load it afresh for the next run.
    delete require.cache[entry];
    return exported;
  };
}
