# Start ingestion on demand: terraform apply -invoke=action.cloudtrail_start_ingestion.audit
action "cloudtrail_start_ingestion" "audit" {
  config {
    event_data_store = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE"
  }
}

# Or start it when another resource is created, here a marker of the store's readiness.
resource "terraform_data" "audit_ready" {
  input = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.cloudtrail_start_ingestion.audit]
    }
  }
}
