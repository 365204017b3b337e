# A store of management events (KMS ones left out) kept for a year.
resource "cloudtrail_event_data_store" "audit" {
  name             = "audit"
  retention_period = 365

  advanced_event_selector {
    name = "Management events without KMS"

    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }

    field_selector {
      field      = "eventSource"
      not_equals = ["kms.amazonaws.com"]
    }
  }

  tags = {
    team = "security"
  }
}

# After create, ingestion belongs to cloudtrail_ingestion_state: it keeps the store ingesting.
resource "cloudtrail_ingestion_state" "audit" {
  event_data_store = cloudtrail_event_data_store.audit.arn
}
