# Composition: hashicorp/aws creates the event data store; cloudtrail_ingestion_state decides
# whether it ingests, driven by var.ingestion_enabled. Leave the aws resource's `suspend` unset so
# that only one resource manages ingestion (hashicorp/aws does not read `suspend` back, so the two
# never fight over it). hashicorp/aws waits for the store to be ENABLED after it changes the
# store's other arguments, so change those while ingestion is enabled.
#   terraform apply -var ingestion_enabled=false   # pause ingestion (and its charges), keep the data
#   terraform apply -var ingestion_enabled=true    # resume

terraform {
  required_version = ">= 1.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
    cloudtrail = {
      source  = "cloudtrail-lake/cloudtrail"
      version = "~> 0.1"
    }
  }
}

variable "region" {
  description = "AWS region of the event data store."
  type        = string
  default     = "us-east-1"
}

variable "ingestion_enabled" {
  description = "Whether the event data store ingests events; false pauses ingestion without deleting the store."
  type        = bool
  default     = true
}

provider "aws" {
  region = var.region
}

provider "cloudtrail" {
  region = var.region
}

# Management events from all regions, kept 90 days.
resource "aws_cloudtrail_event_data_store" "audit" {
  name             = "audit"
  retention_period = 90
}

resource "cloudtrail_ingestion_state" "audit" {
  event_data_store  = aws_cloudtrail_event_data_store.audit.arn
  ingestion_enabled = var.ingestion_enabled
}

output "event_data_store_arn" {
  value = aws_cloudtrail_event_data_store.audit.arn
}

output "ingestion_status" {
  value = cloudtrail_ingestion_state.audit.status
}
