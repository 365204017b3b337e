# terraform query -generate-config-out=stores.tf writes an import block and a resource for each
# store found; terraform apply then brings them all under management.
list "cloudtrail_event_data_store" "all" {
  provider         = cloudtrail
  include_resource = true

  config {
    name_prefix = "audit-"
  }
}
