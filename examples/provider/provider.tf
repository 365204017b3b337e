terraform {
  required_providers {
    cloudtrail = {
      source  = "cloudtrail-lake/cloudtrail"
      version = "~> 0.1"
    }
  }
}

# Credentials, region and profile come from the usual AWS environment variables and shared
# files when they are not set here, as with the hashicorp/aws provider; the arguments below are
# hashicorp/aws's, so an existing `provider "aws"` block can be copied.
provider "cloudtrail" {
  region = "us-east-1"

  # Fail before any CloudTrail call if the credentials belong to another account.
  allowed_account_ids = ["123456789012"]

  # Optional: assume a role before calling CloudTrail. More blocks chain, in order.
  assume_role {
    role_arn     = "arn:aws:iam::123456789012:role/cloudtrail-ingestion"
    session_name = "terraform"
  }
}

# In CI with OIDC (GitHub Actions, GitLab): the job's token file, then the role.
provider "cloudtrail" {
  alias  = "ci"
  region = "us-east-1"

  assume_role_with_web_identity {
    role_arn                = "arn:aws:iam::123456789012:role/ci-deploy"
    web_identity_token_file = "/tmp/web-identity-token"
  }

  # Behind a TLS-inspecting corporate proxy.
  https_proxy      = "http://proxy.corp.example:3128"
  no_proxy         = ".corp.example"
  custom_ca_bundle = "/etc/ssl/corp-ca.pem"
}
