terraform {
  required_providers {
    cloudtrail = {
      source  = "cloudtrail-lake/cloudtrail"
      version = "~> 0.1"
    }
  }
}

# Credentials, region and profile come from the usual AWS environment variables and shared
# files when they are not set here, as with the hashicorp/aws provider.
provider "cloudtrail" {
  region = "us-east-1"

  # Optional: assume a role before calling CloudTrail.
  assume_role {
    role_arn     = "arn:aws:iam::123456789012:role/cloudtrail-ingestion"
    session_name = "terraform"
  }
}
