# Pause ingestion on demand: terraform apply -invoke=action.cloudtrail_stop_ingestion.audit
action "cloudtrail_stop_ingestion" "audit" {
  config {
    event_data_store = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE"
    wait             = true
    timeout          = "5m"
  }
}
