# The deploy policy as a quoted JSON string.
resource "aws_iam_role_policy" "deploy" {
  name   = "deploy"
  role   = aws_iam_role.builder.id
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"Deploy\", \"Effect\": \"Allow\", \"Action\": [\"s3:GetObjct\", \"iam:PassRole\", \"ec2:RunInstances\"], \"Resource\": \"*\"}]}"
}
