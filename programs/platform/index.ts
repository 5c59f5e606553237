// The platform program that `pulumi up -s <stack>` runs (see Pulumi.yaml at the repository root).
import { platform } from "./platform";

export = platform;
