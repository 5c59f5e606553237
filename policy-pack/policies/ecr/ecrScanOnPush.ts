import { ResourceValidationPolicy } from "@pulumi/policy";
import { ecrRepositoryTypes } from "../../lib/resourceTypes";

export const ecrScanOnPush: ResourceValidationPolicy = {
  name: "ecr-scan-on-push",
  description: "Every ECR repository scans images for vulnerabilities when they are pushed.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Set imageScanningConfiguration.scanOnPush = true on the repository (TrustedDeliveryPipeline always does).",
  configSchema: { properties: {} },
  validateResource: (args, reportViolation) => {
    if (!ecrRepositoryTypes.includes(args.type)) {
      return;
    }
    if (args.props.imageScanningConfiguration?.scanOnPush !== true) {
      reportViolation(
        "ECR repository must enable scan on push: set imageScanningConfiguration.scanOnPush = true",
      );
    }
  },
};
