# The roles of the demo account, and the managed policies they hold.

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = data.aws_iam_policy_document.ec2_trust.json

  inline_policy {
    name = "app-access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Sid    = "Objects"
          Effect = "Allow"
          Action = [
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
          ]
          Resource = "arn:aws:s3:::app-data/*"
        },
        {
          Sid      = "Describe"
          Effect   = "Allow"
          Action   = "ec2:Describe*"
          Resource = "*"
        },
        {
          Sid      = "AssumeDeployRole"
          Effect   = "Allow"
          Action   = "sts:AssumeRole"
          Resource = "arn:aws:iam::123456789012:role/deployer"
          Condition = {
            Bool = { "aws:MultiFactorAuthPresent" = "true" }
          }
        },
        {
          Sid      = "NoIam"
          Effect   = "Deny"
          Action   = "iam:*"
          Resource = "*"
        },
        {
          # Kept whatever the data says.
          Sid      = "WhittleKeepBreakGlass"
          Effect   = "Allow"
          Action   = "kms:Decrypt"
          Resource = "*"
        },
      ]
    })
  }
}

resource "aws_iam_role_policy_attachment" "app_shared_readers" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.shared_readers.arn
}

resource "aws_iam_role_policy_attachment" "app_sqs_read_only" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess"
}

resource "aws_iam_role" "batch" {
  name               = "batch"
  assume_role_policy = data.aws_iam_policy_document.ec2_trust.json
}

resource "aws_iam_role_policy_attachment" "batch_shared_readers" {
  role       = aws_iam_role.batch.name
  policy_arn = aws_iam_policy.shared_readers.arn
}

resource "aws_iam_role_policy_attachment" "batch_queue_workers" {
  role       = aws_iam_role.batch.name
  policy_arn = aws_iam_policy.queue_workers.arn
}

resource "aws_iam_role" "newbie" {
  name               = "newbie"
  assume_role_policy = data.aws_iam_policy_document.ec2_trust.json
}

resource "aws_iam_role_policy" "everything_s3" {
  name = "everything-s3"
  role = aws_iam_role.newbie.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }]
  })
}

resource "aws_iam_role" "ghost" {
  name               = "ghost"
  assume_role_policy = data.aws_iam_policy_document.ec2_trust.json
}

resource "aws_iam_role_policy" "old" {
  name = "old"
  role = aws_iam_role.ghost.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sqs:SendMessage", Resource = "*" }]
  })
}

resource "aws_iam_role" "frozen" {
  name               = "frozen"
  assume_role_policy = data.aws_iam_policy_document.ec2_trust.json
  tags = {
    "whittle:keep" = "true"
  }
}

resource "aws_iam_role_policy" "frozen" {
  name = "frozen-policy"
  role = aws_iam_role.frozen.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sns:Publish", Resource = "*" }]
  })
}
