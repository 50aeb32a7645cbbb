# Lambda permissions: each is the statement it adds to the function's resource policy.
resource "aws_lambda_permission" "public" {
  statement_id  = "AllowEveryone"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.api.function_name
  principal     = "*"
}

resource "aws_lambda_permission" "s3" {
  statement_id  = "AllowS3"
  action        = "lambda:InvokeFunction"
  function_name = "thumbnailer"
  principal     = "s3.amazonaws.com"
}

resource "aws_lambda_permission" "s3_scoped" {
  statement_id   = "AllowS3Bucket"
  action         = "lambda:InvokeFunction"
  function_name  = "thumbnailer"
  principal      = "s3.amazonaws.com"
  source_arn     = aws_s3_bucket.uploads.arn
  source_account = "123456789012"
}

resource "aws_lambda_permission" "url" {
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = "api"
  principal              = "*"
  function_url_auth_type = "NONE"
}
