//! IaC readers for fnwarden scan: Serverless Framework, AWS SAM and CloudFormation, Terraform, into one project model
