terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

variable "stage" {
  type    = string
  default = "dev"
}

data "archive_file" "ingest" {
  type        = "zip"
  source_dir  = "${path.module}/../functions/ingest"
  output_path = "${path.module}/build/ingest.zip"
}

resource "aws_lambda_function" "ingest" {
  function_name    = "ingest-${var.stage}"
  filename         = data.archive_file.ingest.output_path
  source_code_hash = data.archive_file.ingest.output_base64sha256
  handler          = "handler.main"
  runtime          = "python3.12"
  timeout          = 60
  memory_size      = 512
  role             = aws_iam_role.ingest.arn

  environment {
    variables = {
      STAGE       = var.stage
      QUEUE_URL   = aws_sqs_queue.events.url
      LOG_LEVEL   = "INFO"
      NODE_OPTIONS = "--enable-source-maps"
    }
  }
}

resource "aws_lambda_function" "notify" {
  function_name                  = "notify"
  filename                       = "../functions/notify/notify.zip"
  handler                        = "index.handler"
  runtime                        = "nodejs20.x"
  reserved_concurrent_executions = 2
  role                           = aws_iam_role.ingest.arn
}

resource "aws_lambda_function_url" "ingest" {
  function_name      = aws_lambda_function.ingest.function_name
  authorization_type = "NONE"
}

resource "aws_lambda_permission" "public_url" {
  statement_id           = "AllowPublicUrl"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.ingest.function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowApiGateway"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.notify.arn
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http.execution_arn}/*/*"
}

resource "aws_sqs_queue" "events" {
  name = "ingest-events"
}

resource "aws_lambda_event_source_mapping" "events" {
  event_source_arn = aws_sqs_queue.events.arn
  function_name    = aws_lambda_function.notify.arn
  batch_size       = 10
}

resource "aws_s3_bucket" "drop" {
  bucket = "partner-drop-zone"
}

resource "aws_s3_bucket_acl" "drop" {
  bucket = aws_s3_bucket.drop.id
  acl    = "public-read-write"
}

resource "aws_s3_bucket_notification" "drop" {
  bucket = aws_s3_bucket.drop.id

  lambda_function {
    lambda_function_arn = aws_lambda_function.ingest.arn
    events              = ["s3:ObjectCreated:*"]
  }
}

resource "aws_apigatewayv2_api" "http" {
  name          = "notify"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "notify" {
  api_id                 = aws_apigatewayv2_api.http.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.notify.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "notify" {
  api_id    = aws_apigatewayv2_api.http.id
  route_key = "POST /notify"
  target    = "integrations/${aws_apigatewayv2_integration.notify.id}"
}
