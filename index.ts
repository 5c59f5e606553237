// The entry Pulumi reads when this repository is used as a component package
// (`pulumi package add`, see PulumiPlugin.yaml): its schema analyzer reads the TypeScript source
// from here. npm consumers get the same exports from the compiled `dist/components`.
export * from "./components";
