# The deploy policy rendered by an aws_iam_policy_document data source.
data "aws_iam_policy_document" "deploy" {
  statement {
    sid     = "Deploy"
    effect  = "Allow"
    actions = ["s3:GetObjct", "iam:PassRole", "ec2:RunInstances"]
    # Every resource.
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "deploy"
  role   = aws_iam_role.builder.id
  policy = data.aws_iam_policy_document.deploy.json
}
