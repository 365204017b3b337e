# Keep ingestion of an event data store started (the default).
resource "cloudtrail_ingestion_state" "audit" {
  event_data_store = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"
}

# Keep ingestion of another store stopped, stop it again when this resource is destroyed, and
# give the store up to 20 minutes to settle.
resource "cloudtrail_ingestion_state" "archive" {
  event_data_store  = "EXAMPLE-1a2b-4c3d-9e8f-0a1b2cEXAMPLE"
  ingestion_enabled = false
  stop_on_destroy   = true

  timeouts {
    create = "20m"
    update = "20m"
  }
}
