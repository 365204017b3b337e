# Quickstart: keep ingestion of one CloudTrail Lake event data store started.
# scripts/quickstart.sh runs this against LocalEmu (or AWS, given credentials and a store ARN).

terraform {
  required_providers {
    cloudtrail = {
      source = "cloudtrail-lake/cloudtrail"
    }
  }
}

variable "event_data_store" {
  description = "ARN (or ID) of the event data store whose ingestion should be started."
  type        = string
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "cloudtrail_endpoint" {
  description = "Custom CloudTrail endpoint, e.g. an emulator; null means AWS."
  type        = string
  default     = null
}

provider "cloudtrail" {
  region = var.region
  # An emulator answers CloudTrail only; against AWS the credentials are checked with STS.
  skip_credentials_validation = var.cloudtrail_endpoint != null
  endpoints {
    cloudtrail = var.cloudtrail_endpoint
  }
}

resource "cloudtrail_ingestion_state" "this" {
  event_data_store  = var.event_data_store
  ingestion_enabled = true
}

output "status" {
  value = cloudtrail_ingestion_state.this.status
}
