# The import ID is the event data store's ARN (or the ID at the end of it).
terraform import cloudtrail_event_data_store.audit arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE
