# The builder and GitHub Actions roles of main.tf.json, in Terraform's native
# syntax: trust policies from aws_iam_policy_document data sources, the deploy
# policy with jsonencode, the artifacts policy as a heredoc.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

variable "artifact_bucket" {
  type = string
}

data "aws_iam_policy_document" "ec2_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "github_trust" {
  version = "2012-10-17"
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "builder" {
  name               = "builder"
  assume_role_policy = data.aws_iam_policy_document.ec2_trust.json
}

resource "aws_iam_role" "github_actions" {
  name                = "github-actions"
  assume_role_policy  = data.aws_iam_policy_document.github_trust.json
  managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}

resource "aws_iam_role_policy" "deploy" {
  name = "deploy"
  role = aws_iam_role.builder.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Deploy"
        Effect   = "Allow"
        Action   = ["s3:GetObjct", "iam:PassRole", "ec2:RunInstances"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_iam_policy" "artifacts" {
  name   = "artifacts"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "s3:*",
          "Resource": "arn:aws:s3:::${var.artifact_bucket}/*"
        }
      ]
    }
  EOT
}
