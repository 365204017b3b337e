# Look an event data store up by ARN (or by the ID at the end of its ARN).
data "cloudtrail_event_data_store" "audit" {
  event_data_store = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"
}

output "audit_store" {
  value = {
    name              = data.cloudtrail_event_data_store.audit.name
    status            = data.cloudtrail_event_data_store.audit.status
    ingestion_enabled = data.cloudtrail_event_data_store.audit.ingestion_enabled
  }
}
