import * as fs from "fs";
import ts from "typescript";

/** `Interface.property` for every interface property whose TSDoc has a `@default` tag. */
export function documentedDefaults(file: string): string[] {
  const source = ts.createSourceFile(
    file,
    fs.readFileSync(file, "utf8"),
    ts.ScriptTarget.Latest,
    true,
  );
  const found: string[] = [];
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) {
      return;
    }
    for (const member of node.members) {
      if (
        ts.isPropertySignature(member) &&
        ts.getJSDocTags(member).some((tag) => tag.tagName.text === "default")
      ) {
        found.push(`${node.name.text}.${member.name.getText(source)}`);
      }
    }
  });
  return found.sort();
}
