# Customer managed policies shared by several principals.

resource "aws_iam_policy" "shared_readers" {
  name = "shared-readers"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = [
        "dynamodb:GetItem",
        "dynamodb:Query",
        "logs:*", # every log group
      ]
      Resource = "*"
    }]
  })
}

resource "aws_iam_policy" "queue_workers" {
  name   = "queue-workers"
  policy = <<EOT
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:PurgeQueue"],
      "Resource": "*"
    }
  ]
}
EOT
}
