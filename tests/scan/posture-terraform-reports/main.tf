terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "us-east-1"
}

data "archive_file" "reports" {
  type        = "zip"
  source_dir  = "${path.module}/lambda"
  output_path = "${path.module}/build/reports.zip"
}

resource "aws_iam_role" "reports" {
  name = "reports-lambda"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "lambda.amazonaws.com" }
        Action    = "sts:AssumeRole"
      },
      {
        Effect    = "Allow"
        Principal = { AWS = "*" }
        Action    = "sts:AssumeRole"
      }
    ]
  })
}

resource "aws_iam_role_policy" "reports" {
  name = "reports-inline"
  role = aws_iam_role.reports.id
  policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": ["arn:aws:s3:::reports-archive", "arn:aws:s3:::reports-archive/*"]
    },
    {
      "Effect": "Allow",
      "Action": "iam:PutRolePolicy",
      "Resource": "arn:aws:iam::*:role/reports-*"
    },
    {
      "Effect": "Allow",
      "Action": ["lambda:UpdateFunctionCode", "lambda:InvokeFunction"],
      "Resource": "*"
    }
  ]
}
POLICY
}

resource "aws_lambda_function" "reports" {
  function_name                  = "reports"
  role                           = aws_iam_role.reports.arn
  handler                        = "index.handler"
  runtime                        = "nodejs22.x"
  filename                       = data.archive_file.reports.output_path
  source_code_hash               = data.archive_file.reports.output_base64sha256
  timeout                        = 25
  memory_size                    = 1024
  reserved_concurrent_executions = 10

  layers = [
    "arn:aws:lambda:us-east-1:094274105915:layer:AWSLambdaPowertoolsTypeScriptV2:20",
  ]

  environment {
    variables = {
      ARCHIVE_BUCKET = "reports-archive"
      NODE_OPTIONS   = "--import ./otel.mjs"
    }
  }
}

resource "aws_lambda_function_url" "reports" {
  function_name      = aws_lambda_function.reports.function_name
  authorization_type = "NONE"
}

resource "aws_lambda_permission" "public_url" {
  statement_id           = "FunctionURLAllowPublicAccess"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.reports.function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

resource "aws_lambda_permission" "partner" {
  statement_id  = "AllowPartnerInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.reports.function_name
  principal     = "444455556666"
}

resource "aws_lambda_permission" "archive_events" {
  statement_id  = "AllowS3Invoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.reports.function_name
  principal     = "s3.amazonaws.com"
}

resource "aws_lambda_permission" "scheduler" {
  statement_id  = "AllowEventBridge"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.reports.function_name
  principal     = "events.amazonaws.com"
  source_arn    = "arn:aws:events:us-east-1:111111111111:rule/nightly-reports"
}
