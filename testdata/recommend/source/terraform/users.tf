# The users and the group of the demo account (testdata/recommend/account.json),
# as a Terraform project defines them: `whittle recommend --source` patches
# the policies here.

locals {
  account = "123456789012"
}

resource "aws_iam_user" "dev" {
  name = "dev"
}

resource "aws_iam_user" "deployer" {
  name = "deployer"
  path = "/ci/"
  tags = {
    team = "platform"
  }
}

resource "aws_iam_user" "auditor" {
  name = "auditor"
}

resource "aws_iam_group" "devs" {
  name = "devs"
}

resource "aws_iam_group_membership" "devs" {
  name  = "devs"
  group = aws_iam_group.devs.name
  users = [aws_iam_user.dev.name, aws_iam_user.auditor.name]
}

# What the deploy pipeline needs.
resource "aws_iam_user_policy" "deploy" {
  name = "deploy"
  user = aws_iam_user.deployer.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "Stacks"
        Effect = "Allow"
        Action = [
          "cloudformation:CreateStack",
          "cloudformation:UpdateStack",
          "cloudformation:DeleteStack",
          "cloudformation:DescribeStacks",
        ]
        Resource = "arn:aws:cloudformation:eu-west-1:${local.account}:stack/web-*/*"
      },
      {
        Sid      = "PassExecutionRole"
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "arn:aws:iam::${local.account}:role/cfn-web-execution"
        Condition = {
          StringEquals = { "iam:PassedToService" = "cloudformation.amazonaws.com" }
        }
      },
      {
        Sid      = "Artifacts"
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:GetObject"]
        Resource = "arn:aws:s3:::deploy-artifacts/*"
      },
    ]
  })
}

resource "aws_iam_user_policy" "read_trails" {
  name   = "read-trails"
  user   = "auditor"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": [
            "logs:GetLogEvents",
            "logs:FilterLogEvents",
            "cloudtrail:LookupEvents",
            "cloudtrail:GetTrailStatus"
          ],
          "Resource": "*"
        }
      ]
    }
  EOT
}

resource "aws_iam_group_policy" "dev_tools" {
  name   = "dev-tools"
  group  = aws_iam_group.devs.name
  policy = data.aws_iam_policy_document.dev_tools.json
}
