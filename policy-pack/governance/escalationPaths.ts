/**
 * Known ways a principal gives itself more rights than it was granted, outside IAM's and STS's
 * own write actions (which the least-privilege rule reports on their own): each path is the set
 * of actions that together let a principal run code as, or take the credentials of, another
 * role. From pathfinding.cloud (DataDog/pathfinding.cloud, `data/paths/*` at commit 84dd65c,
 * 2025-12-17), the community catalogue that extends Rhino Security Labs' 2018 list; each entry
 * keeps its id there. Paths made only of IAM and STS actions are left out: every IAM and STS
 * write action is reported by itself, and `iam:PassRole` among them.
 */

export interface EscalationPath {
  /** The path's id in pathfinding.cloud. */
  readonly id: string;
  /** The actions a principal needs, all of them, each on some resource. */
  readonly actions: readonly string[];
}

export const escalationPaths: readonly EscalationPath[] = [
  { id: "apprunner-001", actions: ["iam:PassRole", "apprunner:CreateService"] },
  { id: "apprunner-002", actions: ["apprunner:UpdateService"] },
  {
    id: "bedrock-001",
    actions: [
      "iam:PassRole",
      "bedrock-agentcore:CreateCodeInterpreter",
      "bedrock-agentcore:StartCodeInterpreterSession",
      "bedrock-agentcore:InvokeCodeInterpreter",
    ],
  },
  {
    id: "bedrock-002",
    actions: [
      "bedrock-agentcore:StartCodeInterpreterSession",
      "bedrock-agentcore:InvokeCodeInterpreter",
    ],
  },
  { id: "cloudformation-001", actions: ["iam:PassRole", "cloudformation:CreateStack"] },
  { id: "cloudformation-002", actions: ["cloudformation:UpdateStack"] },
  {
    id: "cloudformation-003",
    actions: [
      "iam:PassRole",
      "cloudformation:CreateStackSet",
      "cloudformation:CreateStackInstances",
    ],
  },
  { id: "cloudformation-004", actions: ["iam:PassRole", "cloudformation:UpdateStackSet"] },
  {
    id: "cloudformation-005",
    actions: ["cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"],
  },
  {
    id: "codebuild-001",
    actions: ["iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"],
  },
  { id: "codebuild-002", actions: ["codebuild:StartBuild"] },
  { id: "codebuild-003", actions: ["codebuild:StartBuildBatch"] },
  {
    id: "codebuild-004",
    actions: ["iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuildBatch"],
  },
  {
    id: "datapipeline-001",
    actions: [
      "iam:PassRole",
      "datapipeline:CreatePipeline",
      "datapipeline:PutPipelineDefinition",
      "datapipeline:ActivatePipeline",
    ],
  },
  {
    id: "ec2instanceconnect-003",
    actions: ["ec2-instance-connect:SendSSHPublicKey", "ec2:DescribeInstances"],
  },
  { id: "ec2-001", actions: ["iam:PassRole", "ec2:RunInstances"] },
  {
    id: "ec2-002",
    actions: ["ec2:ModifyInstanceAttribute", "ec2:StopInstances", "ec2:StartInstances"],
  },
  { id: "ec2-003", actions: ["iam:PassRole", "ec2:RequestSpotInstances"] },
  { id: "ec2-004", actions: ["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"] },
  {
    id: "ecs-001",
    actions: [
      "iam:PassRole",
      "ecs:CreateCluster",
      "ecs:RegisterTaskDefinition",
      "ecs:CreateService",
    ],
  },
  {
    id: "ecs-002",
    actions: ["iam:PassRole", "ecs:CreateCluster", "ecs:RegisterTaskDefinition", "ecs:RunTask"],
  },
  { id: "ecs-003", actions: ["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:CreateService"] },
  { id: "ecs-004", actions: ["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"] },
  { id: "ecs-005", actions: ["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:StartTask"] },
  { id: "glue-001", actions: ["iam:PassRole", "glue:CreateDevEndpoint"] },
  { id: "glue-002", actions: ["glue:UpdateDevEndpoint"] },
  { id: "glue-003", actions: ["iam:PassRole", "glue:CreateJob", "glue:StartJobRun"] },
  { id: "glue-004", actions: ["iam:PassRole", "glue:CreateJob", "glue:CreateTrigger"] },
  { id: "glue-005", actions: ["iam:PassRole", "glue:UpdateJob", "glue:StartJobRun"] },
  { id: "glue-006", actions: ["iam:PassRole", "glue:UpdateJob", "glue:CreateTrigger"] },
  {
    id: "lambda-001",
    actions: ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
  },
  {
    id: "lambda-002",
    actions: ["iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
  },
  { id: "lambda-003", actions: ["lambda:UpdateFunctionCode"] },
  { id: "lambda-004", actions: ["lambda:UpdateFunctionCode", "lambda:InvokeFunction"] },
  { id: "lambda-005", actions: ["lambda:UpdateFunctionCode", "lambda:AddPermission"] },
  {
    id: "lambda-006",
    actions: ["iam:PassRole", "lambda:CreateFunction", "lambda:AddPermission"],
  },
  { id: "sagemaker-001", actions: ["iam:PassRole", "sagemaker:CreateNotebookInstance"] },
  { id: "sagemaker-002", actions: ["iam:PassRole", "sagemaker:CreateTrainingJob"] },
  { id: "sagemaker-003", actions: ["iam:PassRole", "sagemaker:CreateProcessingJob"] },
  { id: "sagemaker-004", actions: ["sagemaker:CreatePresignedNotebookInstanceUrl"] },
  {
    id: "sagemaker-005",
    actions: [
      "sagemaker:CreateNotebookInstanceLifecycleConfig",
      "sagemaker:StopNotebookInstance",
      "sagemaker:UpdateNotebookInstance",
      "sagemaker:StartNotebookInstance",
    ],
  },
  { id: "ssm-001", actions: ["ssm:StartSession"] },
  { id: "ssm-002", actions: ["ssm:SendCommand"] },
];
