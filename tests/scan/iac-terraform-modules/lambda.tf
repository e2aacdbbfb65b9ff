locals {
  name = "resize"
}

module "resize" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.0"

  function_name = local.name
  handler       = "main.handler"
  runtime       = "python3.11"
  timeout       = 120
  source_path   = "${path.module}/src/resize"

  environment_variables = {
    OUTPUT_BUCKET = aws_s3_bucket.out.bucket
    MAX_PIXELS    = "40000000"
  }

  attach_policy_statements = true
  policy_statements = {
    read_in = {
      effect    = "Allow"
      actions   = ["s3:GetObject"]
      resources = ["${aws_s3_bucket.out.arn}/*"]
    }
    anything = {
      effect    = "Allow"
      actions   = ["*"]
      resources = ["*"]
    }
  }

  create_lambda_function_url = true

  allowed_triggers = {
    Jobs = {
      principal  = "sns.amazonaws.com"
      source_arn = aws_sns_topic.jobs.arn
    }
  }
}

resource "aws_s3_bucket" "out" {
  bucket = "resize-output"
}

resource "aws_sns_topic" "jobs" {
  name = "resize-jobs"
}

resource "aws_sns_topic_policy" "jobs" {
  arn    = aws_sns_topic.jobs.arn
  policy = data.aws_iam_policy_document.jobs_publish.json
}

data "aws_iam_policy_document" "jobs_publish" {
  statement {
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.jobs.arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

resource "aws_sns_topic_subscription" "resize" {
  topic_arn = aws_sns_topic.jobs.arn
  protocol  = "lambda"
  endpoint  = module.resize.lambda_function_arn
}

resource "aws_cloudwatch_event_rule" "nightly" {
  name                = "resize-nightly"
  schedule_expression = "cron(0 3 * * ? *)"
}

resource "aws_cloudwatch_event_target" "nightly" {
  rule = aws_cloudwatch_event_rule.nightly.name
  arn  = module.resize.lambda_function_arn
}
