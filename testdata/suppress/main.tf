# Two administrator policies; the break-glass one is accepted where it is
# written, the other is not.

# whittle: ignore[full-admin-access] break-glass access, reviewed in SEC-123
resource "aws_iam_policy" "break_glass" {
  name = "break-glass"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_iam_policy" "builder" {
  name = "builder"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
