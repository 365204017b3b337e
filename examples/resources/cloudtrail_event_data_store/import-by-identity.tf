import {
  to = cloudtrail_event_data_store.audit
  identity = {
    arn = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"
  }
}
